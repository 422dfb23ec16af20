//! Machine folder names: the CPU model without its trademark and marketing noise, and
//! the host name, as one short file-name-safe word.
//!
//! ```
//! use ctxbench::fingerprint::slug::model_words;
//! assert_eq!(model_words("Intel(R) Xeon(R) Gold 6354 CPU @ 3.00GHz"), "Intel Xeon Gold 6354");
//! assert_eq!(model_words("AMD EPYC 7B13 64-Core Processor"), "AMD EPYC 7B13");
//! ```

/// The longest slug [`super::Fingerprint::slug`] returns.
pub const SLUG_MAX: usize = 60;

/// Marks removed wherever they stand in a model name, in any case.
const MARKS: &[&str] = &["(r)", "(tm)", "(c)", "®", "™"];

/// Words of a model name that say nothing about which CPU it is.
const NOISE_WORDS: &[&str] = &["cpu", "processor"];

/// Count words that may stand before `-Core`.
const COUNT_WORDS: &[&str] = &[
    "dual", "triple", "quad", "six", "eight", "ten", "twelve", "sixteen",
];

/// `model` without `(R)`, `(TM)`, the words "CPU" and "Processor", a clock speed
/// (`@ 2.90GHz`) and a core count (`64-Core`, `Quad-Core`), its words joined by single
/// spaces.
pub fn model_words(model: &str) -> String {
    let mut text = model.to_string();
    for mark in MARKS {
        text = remove_ignoring_case(&text, mark);
    }
    text.split_whitespace()
        .filter(|w| {
            let lower = w.to_ascii_lowercase();
            !(lower == "@"
                || NOISE_WORDS.contains(&lower.as_str())
                || is_clock(&lower)
                || is_core_count(&lower))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` with every occurrence of the ASCII-lower-case `needle` removed, whatever its
/// case in `text`.
fn remove_ignoring_case(text: &str, needle: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = find_ignoring_case(rest, needle) {
        out.push_str(&rest[..i]);
        rest = &rest[i + needle.len()..];
    }
    out.push_str(rest);
    out
}

fn find_ignoring_case(hay: &str, needle: &str) -> Option<usize> {
    (0..=hay.len().checked_sub(needle.len())?).find(|&i| {
        hay.is_char_boundary(i)
            && hay.is_char_boundary(i + needle.len())
            && hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
    })
}

/// `2.90ghz`, `@2.90ghz`, `3200mhz`.
fn is_clock(lower: &str) -> bool {
    let w = lower.strip_prefix('@').unwrap_or(lower);
    let num = w.strip_suffix("ghz").or_else(|| w.strip_suffix("mhz"));
    num.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// `64-core`, `6-cores`, `quad-core`.
fn is_core_count(lower: &str) -> bool {
    let count = lower
        .strip_suffix("-cores")
        .or_else(|| lower.strip_suffix("-core"));
    count.is_some_and(|n| {
        (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) || COUNT_WORDS.contains(&n)
    })
}

impl super::Fingerprint {
    /// A short name for the machine's results folder: the CPU model without its noise
    /// (`(R)`, "CPU", the clock speed, ...: [`model_words`]), the CPU's family and model
    /// numbers (`f26m2`: two generations sold under one model name, such as `AMD EPYC`
    /// in a VM, file apart), and the host name; lower case, every run of other characters
    /// one `-`, at most [`SLUG_MAX`] characters. `AMD EPYC` of family 26 model 2 on host
    /// `vm` is `amd-epyc-f26m2-vm`; where the family or model is unknown it is left out.
    pub fn slug(&self) -> String {
        match self.generation() {
            Some(g) => self.slug_of(&format!("{} {g}", model_words(&self.cpu_model))),
            None => self.unnumbered_slug(),
        }
    }

    /// The CPU's family and model as the slug spells them (`f26m2`); `None` where either
    /// is unknown.
    pub fn generation(&self) -> Option<String> {
        let number = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_string())
        };
        Some(format!(
            "f{}m{}",
            number(&self.cpu_family)?,
            number(&self.cpu_model_number)?
        ))
    }

    /// The folder name without the family and model (`amd-epyc-vm`), for a CPU whose
    /// numbers are unknown.
    fn unnumbered_slug(&self) -> String {
        self.slug_of(&model_words(&self.cpu_model))
    }

    fn slug_of(&self, model: &str) -> String {
        let s = sanitise(&format!("{model} {}", self.hostname));
        if s.is_empty() {
            "unknown".into()
        } else {
            s
        }
    }
}

/// Lower-cases `s`, turns every run of non-alphanumeric characters into one `-`, trims
/// `-` from both ends, and cuts to [`SLUG_MAX`] characters (at a `-` where possible).
pub fn sanitise(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() > SLUG_MAX {
        out.truncate(SLUG_MAX);
        if let Some(cut) = out.rfind('-').filter(|&i| i >= SLUG_MAX / 2) {
            out.truncate(cut);
        }
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitiser_collapses_and_bounds() {
        assert_eq!(
            sanitise("Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz box-1"),
            "intel-r-core-tm-i7-8650u-cpu-1-90ghz-box-1"
        );
        assert_eq!(sanitise("  AMD EPYC   "), "amd-epyc");
        assert_eq!(
            sanitise("<script>alert(1)</script>"),
            "script-alert-1-script"
        );
        assert_eq!(sanitise("../../etc/passwd"), "etc-passwd");
        assert_eq!(sanitise("Ünïcödé"), "n-c-d");
        assert_eq!(sanitise("---"), "");
        let long = sanitise(&"word ".repeat(40));
        assert!(long.len() <= SLUG_MAX, "{long}");
        assert!(
            long.starts_with("word-word") && long.ends_with("word"),
            "{long}"
        );
        let no_dash = sanitise(&"x".repeat(200));
        assert_eq!(no_dash.len(), SLUG_MAX);
    }

    #[test]
    fn real_model_names_lose_their_noise() {
        let cases = [
            ("Intel(R) Xeon(R) Processor", "intel-xeon"),
            ("AMD EPYC", "amd-epyc"),
            ("AMD EPYC 7B13", "amd-epyc-7b13"),
            ("AMD EPYC 7B13 64-Core Processor", "amd-epyc-7b13"),
            ("AMD EPYC 9654 96-Core Processor", "amd-epyc-9654"),
            (
                "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
                "intel-xeon-platinum-8375c",
            ),
            (
                "Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz",
                "intel-xeon-e5-2686-v4",
            ),
            (
                "Intel(R) Xeon(R) Gold 6354 CPU @ 3.00GHz",
                "intel-xeon-gold-6354",
            ),
            (
                "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz",
                "intel-core-i7-8650u",
            ),
            (
                "12th Gen Intel(R) Core(TM) i7-1260P",
                "12th-gen-intel-core-i7-1260p",
            ),
            ("Intel(R) Core(TM) Ultra 7 155H", "intel-core-ultra-7-155h"),
            ("AMD Ryzen 5 3600 6-Core Processor", "amd-ryzen-5-3600"),
            ("AMD Ryzen 9 7950X 16-Core Processor", "amd-ryzen-9-7950x"),
            (
                "AMD Ryzen Threadripper PRO 5995WX 64-Cores",
                "amd-ryzen-threadripper-pro-5995wx",
            ),
            ("AMD Phenom(tm) II X4 965 Processor", "amd-phenom-ii-x4-965"),
            ("AMD Athlon(tm) II X2 250 Processor", "amd-athlon-ii-x2-250"),
            ("AMD Opteron(tm) Processor 6174", "amd-opteron-6174"),
            ("Intel(R) Pentium(R) 4 CPU 3.00GHz", "intel-pentium-4"),
            (
                "Intel(R) Core(TM)2 Quad CPU Q6600 @ 2.40GHz",
                "intel-core2-quad-q6600",
            ),
            (
                "AMD Phenom(tm) II X6 1090T Quad-Core",
                "amd-phenom-ii-x6-1090t",
            ),
            ("QEMU Virtual CPU version 2.5+", "qemu-virtual-version-2-5"),
            ("Common KVM processor", "common-kvm"),
            ("Neoverse-N1", "neoverse-n1"),
        ];
        for (model, want) in cases {
            assert_eq!(sanitise(&model_words(model)), want, "{model}");
        }
        assert_eq!(model_words("CPU @ 2.0GHz"), "");
        assert_eq!(model_words("Intel® Xeon™ 8480+"), "Intel Xeon 8480+");
    }

    #[test]
    fn clocks_and_core_counts_are_recognised_and_nothing_else() {
        assert!(is_clock("2.90ghz") && is_clock("@3.0ghz") && is_clock("800mhz"));
        assert!(!is_clock("ghz") && !is_clock("v4") && !is_clock("2.9ghzx"));
        assert!(is_core_count("64-core") && is_core_count("6-cores") && is_core_count("quad-core"));
        assert!(!is_core_count("-core") && !is_core_count("core") && !is_core_count("multi-core"));
    }
}
