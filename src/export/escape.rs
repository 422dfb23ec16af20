//! Making text from input files (machine names, ids, reasons) safe in each markup.

/// Escapes text for HTML content and attribute values (and so for inline SVG). The
/// letters `http` are written with an entity for the `h`: the page renders the same, and
/// no text from an input file can read as a link or a reference to fetch.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '&' => out += "&amp;",
            '<' => out += "&lt;",
            '>' => out += "&gt;",
            '"' => out += "&quot;",
            '\'' => out += "&#39;",
            'h' | 'H'
                if s.as_bytes()
                    .get(i..i + 4)
                    .is_some_and(|b| b.eq_ignore_ascii_case(b"http")) =>
            {
                out += &format!("&#{};", c as u32)
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a Markdown table cell: no raw HTML, no column breaks, one line.
pub fn markdown_cell(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_defangs_links() {
        assert_eq!(html("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
        let e = html("see HTTPS://x and http://y, shh");
        assert!(!e.to_ascii_lowercase().contains("http"), "{e}");
        assert!(e.contains("&#72;TTPS://x") && e.contains("&#104;ttp://y") && e.contains("shh"));
        assert_eq!(html("héllo"), "héllo");
        assert_eq!(html("hé"), "hé");
    }

    #[test]
    fn cells_stay_one_cell() {
        assert_eq!(markdown_cell("a|b\nc <x>"), "a\\|b c &lt;x&gt;");
    }
}
