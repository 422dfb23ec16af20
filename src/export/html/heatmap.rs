//! A CPU-by-CPU heatmap in inline SVG: one cell per pair of CPUs, coloured by a round
//! trip between them (light: cheap, dark: costly, on a logarithmic scale from the
//! cheapest pair to the costliest), the diagonal (one CPU) shaded, pairs not measured left
//! white. Lines mark where the axis crosses into another L3 (thin) or package (thick).

use std::collections::BTreeMap;

use crate::analysis::topology::time;
use crate::export::escape::html as escape;

/// One measured pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The round trip, in ns.
    pub value_ns: f64,
    /// False draws it faded, with a dashed red outline.
    pub valid: bool,
    /// What hovering over it says.
    pub tip: String,
}

/// What one heatmap draws.
pub struct Heatmap<'a> {
    /// Its title.
    pub title: &'a str,
    /// The CPUs along both axes, in order.
    pub cpus: &'a [usize],
    /// Where the axis crosses a boundary before each CPU of `cpus`: 0 none, 1 an L3,
    /// 2 a package.
    pub bounds: &'a [u8],
    /// The measured pairs, by `(lower CPU, higher CPU)`.
    pub cells: &'a BTreeMap<(usize, usize), Cell>,
}

/// The colour ramp, light to dark (viridis's stops, distinguishable with the common
/// colour-vision deficiencies and in grey).
const RAMP: [(u8, u8, u8); 5] = [
    (253, 231, 37),
    (94, 201, 98),
    (33, 145, 140),
    (59, 82, 139),
    (68, 1, 84),
];

/// The colour at `t` (0 cheapest, 1 costliest) of the ramp.
pub fn colour(t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let x = t * (RAMP.len() - 1) as f64;
    let i = (x.floor() as usize).min(RAMP.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (RAMP[i], RAMP[i + 1]);
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// Where `v` falls between `lo` and `hi` on a logarithmic scale (the middle when they
/// are one value).
fn position(v: f64, lo: f64, hi: f64) -> f64 {
    if !(hi > lo && lo > 0.0) {
        return 0.5;
    }
    (v.ln() - lo.ln()) / (hi.ln() - lo.ln())
}

/// Left margin (row labels), top margin (title and column labels).
const LEFT: f64 = 44.0;
const TOP: f64 = 42.0;
/// The grid's width, shared by the cells.
const GRID: f64 = 300.0;

/// One cell at row `r`, column `c` of side `s`, for the pair `(x, y)`.
fn cell(h: &Heatmap<'_>, (r, c): (usize, usize), s: f64, (lo, hi): (f64, f64)) -> String {
    let (x, y) = (LEFT + c as f64 * s, TOP + r as f64 * s);
    let (a, b) = (h.cpus[r], h.cpus[c]);
    if a == b {
        return format!(
            r##"<rect x="{x:.1}" y="{y:.1}" width="{s:.1}" height="{s:.1}" fill="#e3e6ea"><title>CPU {a}</title></rect>"##
        );
    }
    let Some(m) = h.cells.get(&(a.min(b), a.max(b))) else {
        return format!(
            r##"<rect x="{x:.1}" y="{y:.1}" width="{s:.1}" height="{s:.1}" fill="#ffffff" stroke="#eef0f3"/>"##
        );
    };
    let t = position(m.value_ns, lo, hi);
    let style = if m.valid {
        r##" stroke="#ffffff""##.to_string()
    } else {
        r##" fill-opacity="0.3" stroke="#b3261e" stroke-dasharray="2 2""##.to_string()
    };
    let mut out = format!(
        r#"<rect x="{x:.1}" y="{y:.1}" width="{s:.1}" height="{s:.1}" fill="{}"{style}><title>{}</title></rect>"#,
        colour(t),
        escape(&m.tip)
    );
    if s >= 44.0 {
        out += &format!(
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="{}">{}</text>"#,
            x + s / 2.0,
            y + s / 2.0 + 3.5,
            if t > 0.5 { "#ffffff" } else { "#1d2127" },
            escape(&time(m.value_ns))
        );
    }
    out
}

/// The CPU labels along both axes: all of them up to 32 CPUs, else about 32 evenly.
fn labels(cpus: &[usize], s: f64) -> String {
    let every = cpus.len().div_ceil(32).max(1);
    let mut out = String::new();
    for (i, c) in cpus.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let mid = i as f64 * s + s / 2.0;
        out += &format!(
            r#"<text x="{:.1}" y="{:.1}" class="tick e">{c}</text><text x="{:.1}" y="{:.1}" class="tick m">{c}</text>"#,
            LEFT - 4.0,
            TOP + mid + 4.0,
            LEFT + mid,
            TOP - 5.0
        );
    }
    out
}

/// The boundary lines across the grid.
fn boundaries(bounds: &[u8], s: f64, side: f64) -> String {
    let mut out = String::new();
    for (i, &b) in bounds.iter().enumerate().filter(|&(i, &b)| i > 0 && b > 0) {
        let at = i as f64 * s;
        let (w, c) = if b >= 2 {
            (2.5, "#1d2127")
        } else {
            (1.2, "#5b6470")
        };
        out += &format!(
            r#"<path d="M{:.1} {TOP:.1}V{:.1}M{LEFT:.1} {:.1}H{:.1}" stroke="{c}" stroke-width="{w}" fill="none"/>"#,
            LEFT + at,
            TOP + side,
            TOP + at,
            LEFT + side
        );
    }
    out
}

/// Five swatches from the cheapest pair to the costliest, with their values.
fn scale(lo: f64, hi: f64, y: f64) -> String {
    let mut out = String::new();
    for k in 0..5 {
        let t = k as f64 / 4.0;
        let v = if hi > lo && lo > 0.0 {
            (lo.ln() + t * (hi.ln() - lo.ln())).exp()
        } else {
            lo
        };
        let x = LEFT + k as f64 * 64.0;
        out += &format!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="14" height="12" fill="{}"/><text x="{:.1}" y="{:.1}" class="tick">{}</text>"#,
            colour(if hi > lo { t } else { 0.5 }),
            x + 18.0,
            y + 10.0,
            escape(&time(v))
        );
        if hi <= lo {
            break;
        }
    }
    out
}

/// The heatmap as an SVG element.
pub fn heatmap(h: &Heatmap<'_>) -> String {
    let n = h.cpus.len().max(1);
    let s = (GRID / n as f64).clamp(3.0, 56.0);
    let side = s * n as f64;
    let values: Vec<f64> = h
        .cells
        .values()
        .map(|c| c.value_ns)
        .filter(|v| v.is_finite())
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let mut body = String::new();
    for r in 0..h.cpus.len() {
        for c in 0..h.cpus.len() {
            body += &cell(h, (r, c), s, (lo, hi));
        }
    }
    body += &boundaries(h.bounds, s, side);
    body += &labels(h.cpus, s);
    let legend_y = TOP + side + 14.0;
    if !values.is_empty() {
        body += &scale(lo, hi, legend_y);
    }
    let width = (LEFT + side + 12.0).max(LEFT + 5.0 * 64.0 + 20.0);
    let height = legend_y + 22.0;
    format!(
        r#"<svg viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-label="{t}"><text x="10" y="18" class="title">{t}</text>{body}</svg>"#,
        t = escape(h.title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_cpus_give_a_two_by_two_grid_with_the_diagonal_empty() {
        let cells: BTreeMap<(usize, usize), Cell> = [(
            (0, 1),
            Cell {
                value_ns: 48_900.0,
                valid: true,
                tip: "CPU 0 - CPU 1 <same-l3>".into(),
            },
        )]
        .into();
        let svg = heatmap(&Heatmap {
            title: "wake-up",
            cpus: &[0, 1],
            bounds: &[0, 0],
            cells: &cells,
        });
        assert_eq!(
            svg.matches("<rect").count(),
            4 + 1,
            "4 cells, 1 swatch: {svg}"
        );
        assert_eq!(
            svg.matches(r##"fill="#e3e6ea""##).count(),
            2,
            "the diagonal"
        );
        // Both cells of the pair, coloured alike, each with its value and tip (escaped).
        assert_eq!(
            svg.matches(&format!(r#"fill="{}""#, colour(0.5))).count(),
            3
        );
        assert_eq!(svg.matches(">48.9 us</text>").count(), 3, "{svg}");
        assert_eq!(svg.matches("&lt;same-l3&gt;").count(), 2);
        assert!(!svg.contains("<same-l3>"));
    }

    #[test]
    fn the_scale_is_logarithmic_and_unmeasured_pairs_stay_white() {
        assert_eq!(colour(0.0), "#fde725");
        assert_eq!(colour(1.0), "#440154");
        assert_eq!(colour(f64::NAN), colour(0.5));
        assert!((position(1000.0, 100.0, 10_000.0) - 0.5).abs() < 1e-12);
        let cell = |v: f64, valid| Cell {
            value_ns: v,
            valid,
            tip: String::new(),
        };
        let cells = [((0, 1), cell(100.0, true)), ((2, 3), cell(10_000.0, false))].into();
        let svg = heatmap(&Heatmap {
            title: "t",
            cpus: &[0, 1, 2, 3],
            bounds: &[0, 0, 2, 0],
            cells: &cells,
        });
        assert_eq!(
            svg.matches(r##"fill="#ffffff" stroke"##).count(),
            8,
            "{svg}"
        );
        assert_eq!(svg.matches("stroke-dasharray").count(), 2, "invalid pair");
        assert_eq!(
            svg.matches(r#"stroke-width="2.5""#).count(),
            1,
            "package line"
        );
        assert!(svg.contains(">100 ns</text>") && svg.contains(">10.0 us</text>"));
    }
}
