//! Text sent to KashFlow: plain text (no HTML, no control characters) within KashFlow's lengths,
//! and values quoted in error messages at a bounded length.
//!
//! KashFlow publishes no field lengths: the guessed limits live in `kashflow::limits` (the sandbox
//! refuses longer text; the mapping shortens it here, with a warning).

use super::address::clean_text;
use super::warnings::{Warning, WarningCode};

/// Longest text per KashFlow field (our guess; see `kashflow::limits`).
pub use crate::kashflow::limits;

pub use crate::order::error::{quote, QUOTE_CHARS};

/// `text` cut to `max` characters (on a character boundary, with "…" at the end), and a warning
/// naming the field when it was cut. Never sends KashFlow more than it keeps.
pub fn fit(text: String, max: usize, path: &str, warnings: &mut Vec<Warning>) -> String {
    fit_lazy(text, max, &|| path.to_string(), warnings)
}

/// `fit` with the field's path spelled out only when the text is cut (for per-item fields).
pub fn fit_lazy(
    text: String,
    max: usize,
    path: &dyn Fn() -> String,
    warnings: &mut Vec<Warning>,
) -> String {
    if text.len() <= max {
        // Byte length ≤ max implies char length ≤ max: the common case costs nothing.
        return text;
    }
    let path = path();
    let path = path.as_str();
    let Some((cut, _)) = text.char_indices().nth(max.saturating_sub(1)) else {
        return text;
    };
    let total = text.chars().count();
    warnings.push(Warning::new(
        WarningCode::TextTruncated,
        Some(path),
        format!("{path} is {total} characters long; KashFlow keeps {max}, so it was shortened."),
    ));
    let mut out = text[..cut].trim_end().to_string();
    out.push('…');
    out
}

/// `fit` for an optional value.
pub fn fit_opt(
    text: Option<String>,
    max: usize,
    path: &str,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    text.map(|t| fit(t, max, path, warnings))
}

/// nopCommerce's formatted descriptions (an item's attributes, the checkout attributes) are HTML
/// with `<br />` between entries and prices HTML-encoded (`[+&#163;10.00]`): as plain text, tags
/// dropped, `<br>` and block ends a comma, every entity decoded once (named, decimal, hex; so
/// `&amp;lt;` stays `&lt;` as the shop typed it), whitespace and control characters cleaned.
pub fn html_to_text(raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    if !raw.contains(['<', '&']) {
        return clean_text(Some(raw)).and_then(|t| tidy_commas(&t));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        match rest[i..].find('>') {
            Some(j) => {
                let tag = rest[i + 1..i + j].trim().to_ascii_lowercase();
                let name = tag.trim_start_matches('/');
                let name = name
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .next()
                    .unwrap_or("");
                let block_end = tag.starts_with('/') && matches!(name, "p" | "div" | "li" | "tr");
                if name == "br" || block_end {
                    out.push_str(", ");
                }
                rest = &rest[i + j + 1..];
            }
            None => {
                rest = &rest[i..];
                break;
            }
        }
    }
    out.push_str(rest);
    clean_text(Some(&decode_entities(&out))).and_then(|t| tidy_commas(&t))
}

/// Decode HTML character references in one pass. Unknown or malformed ones stay as written.
fn decode_entities(text: &str) -> String {
    const NAMED: &[(&str, char)] = &[
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", ' '),
        ("pound", '£'),
        ("euro", '€'),
        ("dollar", '$'),
        ("yen", '¥'),
        ("cent", '¢'),
        ("copy", '©'),
        ("reg", '®'),
        ("trade", '™'),
        ("deg", '°'),
        ("times", '×'),
        ("ndash", '–'),
        ("mdash", '—'),
        ("hellip", '…'),
        ("lsquo", '‘'),
        ("rsquo", '’'),
        ("ldquo", '“'),
        ("rdquo", '”'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let entity = after.find(';').filter(|end| *end <= 10).and_then(|end| {
            let body = &after[..end];
            let ch = if let Some(num) = body.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse::<u32>().ok(),
                };
                code.and_then(char::from_u32)
            } else {
                NAMED.iter().find(|(n, _)| *n == body).map(|(_, c)| *c)
            };
            ch.map(|c| (c, end))
        });
        match entity {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn tidy_commas(cleaned: &str) -> Option<String> {
    let t = cleaned.trim_matches(|c: char| c == ',' || c.is_whitespace());
    (!t.is_empty()).then(|| t.replace(" ,", ","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_become_plain_text() {
        assert_eq!(
            html_to_text(Some("Size: M<br />Colour: Navy &amp; White")).as_deref(),
            Some("Size: M, Colour: Navy & White")
        );
        assert_eq!(html_to_text(Some("<br />")), None);
        assert_eq!(html_to_text(Some("  ")), None);
        assert_eq!(html_to_text(None), None);
        assert_eq!(
            html_to_text(Some("Bell\u{7}\u{0} rings")).as_deref(),
            Some("Bell rings")
        );
    }

    #[test]
    fn nopcommerce_price_adjustments_and_entities_decode_once() {
        // What nopCommerce 4.90 writes for a checkout attribute with a price adjustment.
        assert_eq!(
            html_to_text(Some(
                "Gift wrapping: Yes [+&#163;10.00]<br />Card: &quot;Happy birthday&quot;"
            ))
            .as_deref(),
            Some("Gift wrapping: Yes [+£10.00], Card: \"Happy birthday\"")
        );
        assert_eq!(
            html_to_text(Some("&pound;5 &euro;6 &#x20AC;7")).as_deref(),
            Some("£5 €6 €7")
        );
        // Decoded once: what the shop typed as "&lt;" stays "&lt;".
        assert_eq!(
            html_to_text(Some("a &amp;lt; b")).as_deref(),
            Some("a &lt; b")
        );
        // Not an entity: left as written.
        assert_eq!(
            html_to_text(Some("Fish & Chips &unknown; &#xZZ;")).as_deref(),
            Some("Fish & Chips &unknown; &#xZZ;")
        );
        assert_eq!(
            html_to_text(Some("<p>One</p><p>Two</p>")).as_deref(),
            Some("One, Two")
        );
    }

    #[test]
    fn long_text_is_cut_with_a_warning() {
        let mut w = Vec::new();
        let s = fit("é".repeat(600), 500, "Items[0].Name", &mut w);
        assert_eq!(s.chars().count(), 500);
        assert!(s.ends_with('…'));
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("600 characters"));
        let s = fit("short".into(), 500, "x", &mut w);
        assert_eq!(s, "short");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn quotes_are_bounded() {
        let q = quote(&"x".repeat(10_000_000));
        assert!(q.len() < 300, "{}", q.len());
        assert!(q.contains("10000000 characters"));
        assert_eq!(quote("abc"), "abc");
    }
}
