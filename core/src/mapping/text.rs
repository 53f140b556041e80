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
/// with `<br />` between entries: as plain text, tags dropped, `<br>` a comma, entities decoded,
/// whitespace and control characters cleaned.
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
                if tag.starts_with("br") {
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
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    clean_text(Some(&decoded)).and_then(|t| tidy_commas(&t))
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
