//! Inline SVG charts for the HTML report: bars with a p25-p75 whisker per run, and lines
//! over a parameter (ring size, working set). Plain SVG elements only (no script, no
//! external reference); inline SVG in HTML5 needs no namespace attribute.

use crate::export::escape::html as escape;
use crate::units::ns as fmt_ns;

/// Colours for runs, told apart also by people with the common colour-vision deficiencies.
pub const PALETTE: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f7f7f", "#000000",
];

/// The style rules of the runs' bar classes (`b0`, `b1`, ...: [`PALETTE`]'s colours,
/// slightly light), for the page's style sheet.
pub fn palette_css() -> String {
    PALETTE
        .iter()
        .enumerate()
        .map(|(i, c)| format!(".b{i}{{fill:{c};fill-opacity:.85}}"))
        .collect()
}

/// The colour of run `i`.
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// One run's value in a chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The median.
    pub median: f64,
    /// The 25th percentile.
    pub p25: f64,
    /// The 75th percentile.
    pub p75: f64,
    /// False draws the point hollow and says "invalid".
    pub valid: bool,
    /// True draws the p25-p75 range alone, no median: the samples spread too wide (or fall
    /// in two groups) for the median to mean much.
    pub unstable: bool,
}

/// The largest p75 (or median) of `points`, 0 when there is none.
pub fn max_of<'a>(points: impl Iterator<Item = &'a Option<Point>>) -> f64 {
    points
        .flatten()
        .map(|p| p.p75.max(p.median))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// Ticks from 0 covering `max`: steps of 1, 2 or 5 times a power of ten, about five.
pub fn nice_ticks(max: f64) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) {
        return vec![0.0, 1.0];
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut ticks = vec![0.0];
    while *ticks.last().unwrap_or(&0.0) < max * 0.999_999 {
        ticks.push(ticks.len() as f64 * step);
    }
    ticks
}

/// An axis label: `0`, `2.5`, `4000`, `45k`.
fn tick_label(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v >= 10_000.0 && v % 1000.0 == 0.0 {
        format!("{}k", v / 1000.0)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        fmt_ns(v)
    }
}

const WIDTH: f64 = 780.0;
const CHAR_W: f64 = 6.6;

fn legend(labels: &[String], y: f64) -> (String, f64) {
    let mut out = String::new();
    let (mut x, mut y) = (10.0, y);
    for (i, l) in labels.iter().enumerate() {
        let w = 22.0 + l.chars().count() as f64 * CHAR_W + 18.0;
        if x + w > WIDTH && x > 10.0 {
            x = 10.0;
            y += 18.0;
        }
        out += &format!(
            r#"<rect x="{x:.0}" y="{:.0}" width="12" height="12" fill="{}"/><text x="{:.0}" y="{:.0}" class="lg">{}</text>"#,
            y - 10.0,
            colour(i),
            x + 17.0,
            y,
            escape(l)
        );
        x += w;
    }
    (out, y + 12.0)
}

/// The height of one bar of a bar chart.
const BAR_H: f64 = 13.0;

/// What a bar chart draws, in layers: the bars, every whisker (one path), every value
/// (one group).
#[derive(Default)]
struct Layers {
    bars: String,
    whiskers: String,
    values: String,
}

/// Run `i`'s bar at height `by`: the median as a bar from `x0` (hollow when invalid),
/// the p25-p75 whisker, and the value; `sx` maps a value to its x.
fn bar(p: &Point, i: usize, x0: f64, by: f64, sx: &dyn Fn(f64) -> f64, out: &mut Layers) {
    if p.unstable {
        return unstable_bar(p, i, by, sx, out);
    }
    let w = (sx(p.median) - x0).max(1.0);
    out.bars += &if p.valid {
        // A path: shorter than the same rect, and there are many bars.
        format!(
            r#"<path d="M{x0:.0} {by:.0}h{w:.0}v{BAR_H}H{x0:.0}z" class="b{}"/>"#,
            i % PALETTE.len()
        )
    } else {
        format!(
            r#"<rect x="{x0:.0}" y="{by:.0}" width="{w:.0}" height="{BAR_H}" fill="{c}" fill-opacity="0.25" stroke="{c}" stroke-dasharray="3 2"/>"#,
            c = colour(i)
        )
    };
    let (a, b) = (sx(p.p25), sx(p.p75));
    let cy = by + BAR_H / 2.0;
    let h = BAR_H - 4.0;
    out.whiskers += &format!(
        "M{a:.0} {cy:.0}H{b:.0}M{a:.0} {:.0}v{h}M{b:.0} {:.0}v{h}",
        by + 2.0,
        by + 2.0,
    );
    out.values += &format!(
        r#"<text x="{:.0}" y="{:.0}">{}{}</text>"#,
        sx(p.median).max(b) + 5.0,
        by + BAR_H - 3.0,
        fmt_ns(p.median),
        if p.valid { "" } else { " invalid" }
    );
}

/// Run `i`'s unstable result at height `by`: its p25-p75 range as a hollow box, no bar.
fn unstable_bar(p: &Point, i: usize, by: f64, sx: &dyn Fn(f64) -> f64, out: &mut Layers) {
    let (a, b) = (sx(p.p25), sx(p.p75));
    out.bars += &format!(
        r#"<rect x="{a:.0}" y="{by:.0}" width="{:.0}" height="{BAR_H}" class="unstable" stroke="{}"/>"#,
        (b - a).max(2.0),
        colour(i),
    );
    out.values += &format!(
        r#"<text x="{:.0}" y="{:.0}">unstable: {}-{}</text>"#,
        b + 5.0,
        by + BAR_H - 3.0,
        fmt_ns(p.p25),
        fmt_ns(p.p75)
    );
}

/// A horizontal bar chart: one row per id, within it one bar per run (the median) with a
/// whisker from p25 to p75. `rows` pairs each label with one optional point per run.
pub fn bar_chart(title: &str, runs: &[String], rows: &[(String, Vec<Option<Point>>)]) -> String {
    let label_w = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(4) as f64
        * CHAR_W
        + 14.0;
    let label_w = label_w.min(320.0);
    let x0 = label_w;
    let plot_w = WIDTH - label_w - 120.0;
    let ticks = nice_ticks(max_of(rows.iter().flat_map(|(_, ps)| ps.iter())));
    let top = *ticks.last().unwrap_or(&1.0);
    let sx = |v: f64| x0 + (v / top).clamp(0.0, 1.0) * plot_w;
    let row_h = runs.len().max(1) as f64 * (BAR_H + 3.0) + 10.0;
    let y0 = 34.0;
    let plot_h = rows.len() as f64 * row_h;
    let mut body = String::new();
    let mut layers = Layers::default();
    for (k, t) in ticks.iter().enumerate() {
        let x = sx(*t);
        body += &format!(
            r#"<line x1="{x:.0}" y1="{y0:.0}" x2="{x:.0}" y2="{:.0}" class="{}"/><text x="{x:.0}" y="{:.0}" class="tick m">{}</text>"#,
            y0 + plot_h,
            if k == 0 { "axis" } else { "grid" },
            y0 + plot_h + 14.0,
            tick_label(*t)
        );
    }
    for (r, (label, points)) in rows.iter().enumerate() {
        let ry = y0 + r as f64 * row_h + 5.0;
        if r % 2 == 1 {
            body += &format!(
                r#"<rect x="0" y="{:.0}" width="{WIDTH}" height="{row_h:.0}" class="band"/>"#,
                ry - 5.0
            );
        }
        body += &format!(
            r#"<text x="{:.0}" y="{:.0}" class="rl">{}</text>"#,
            x0 - 6.0,
            ry + row_h / 2.0,
            escape(label)
        );
        for (i, p) in points.iter().enumerate() {
            let by = ry + i as f64 * (BAR_H + 3.0);
            match p {
                Some(p) => bar(p, i, x0, by, &sx, &mut layers),
                None => {
                    layers.bars += &format!(
                        r#"<text x="{:.0}" y="{:.0}" class="na">not run</text>"#,
                        x0 + 4.0,
                        by + BAR_H - 3.0
                    )
                }
            }
        }
    }
    body += &format!(
        r#"{}<path d="{}" class="whisker"/><g class="val">{}</g>"#,
        layers.bars, layers.whiskers, layers.values
    );
    let (lg, lg_end) = legend(runs, y0 + plot_h + 40.0);
    let height = lg_end + 8.0;
    format!(
        r#"<svg viewBox="0 0 {WIDTH} {height:.0}" width="{WIDTH}" height="{height:.0}" role="img" aria-label="{t}"><text x="10" y="18" class="title">{t}</text><text x="{:.0}" y="{:.0}" class="tick e">ns per iteration (median, whisker p25-p75; box alone = unstable)</text>{body}{lg}</svg>"#,
        WIDTH - 10.0,
        y0 + plot_h + 28.0,
        t = escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels() {
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(20.0), "20");
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(40_000.0), "40k");
        assert_eq!(tick_label(0.2), "0.200");
    }

    #[test]
    fn ticks_cover_the_maximum() {
        assert_eq!(nice_ticks(4.3), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(
            nice_ticks(45_000.0),
            vec![0.0, 10_000.0, 20_000.0, 30_000.0, 40_000.0, 50_000.0]
        );
        let t = nice_ticks(7.0);
        assert_eq!(t, vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(0.0), vec![0.0, 1.0]);
        assert_eq!(nice_ticks(f64::NAN), vec![0.0, 1.0]);
    }

    #[test]
    fn charts_escape_and_draw_every_run() {
        let good = Point {
            median: 10.0,
            p25: 9.0,
            p75: 11.0,
            valid: true,
            unstable: false,
        };
        let p = Some(good);
        let bad = Some(Point {
            valid: false,
            ..good
        });
        let s = bar_chart(
            "t<1>",
            &["a&b".into(), "c".into()],
            &[("id<x>".into(), vec![p, bad]), ("y".into(), vec![None, p])],
        );
        assert!(s.contains("t&lt;1&gt;") && s.contains("id&lt;x&gt;") && s.contains("a&amp;b"));
        assert!(!s.contains("<x>"));
        assert!(s.contains("invalid") && s.contains("not run"));
        assert!(!s.contains("http"));
    }
}
