//! Address standardisation: whitespace trimmed and collapsed, country as an upper-case ISO
//! alpha-2 code, UK postcodes validated against the full UK format and written in the standard
//! form ("SW1A 1AA"), and nopCommerce's Address1/Address2/City/County mapped onto KashFlow's
//! Line1..Line4 (County falls back to the state/province abbreviation).

use crate::order::{ErrorCode, OrderAddress, ValidationError};

use super::canonical::CanonicalAddress;
use super::text::quote;

/// Trim, collapse every run of whitespace (including newlines and no-break spaces) to one space
/// and drop control characters (KashFlow gets plain text); `None` when nothing is left.
pub fn clean_text(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    if s.is_empty() {
        return None;
    }
    // Usually already clean: one exact-size copy.
    let mut prev_space = false;
    let tidy = s.chars().all(|c| {
        let bad = (c.is_whitespace() && (c != ' ' || prev_space)) || c.is_control();
        prev_space = c == ' ';
        !bad
    });
    if tidy {
        return Some(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        let word: String = word.chars().filter(|c| !c.is_control()).collect();
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// Countries whose addresses use UK postcodes: the UK and the Crown Dependencies.
pub fn uses_uk_postcodes(country: &str) -> bool {
    matches!(country, "GB" | "GG" | "JE" | "IM")
}

/// EU member states (ISO alpha-2), for the customer's `IsRegisteredInEC` flag and EU B2B sales.
pub fn is_eu_country(country: &str) -> bool {
    matches!(
        country,
        "AT" | "BE"
            | "BG"
            | "HR"
            | "CY"
            | "CZ"
            | "DK"
            | "EE"
            | "FI"
            | "FR"
            | "DE"
            | "GR"
            | "HU"
            | "IE"
            | "IT"
            | "LV"
            | "LT"
            | "LU"
            | "MT"
            | "NL"
            | "PL"
            | "PT"
            | "RO"
            | "SK"
            | "SI"
            | "ES"
            | "SE"
    )
}

/// Validate a UK postcode and return it in standard form (upper case, one space before the
/// inward code), or `None` if it is not a valid UK postcode.
///
/// Grammar (BS 7666, as published by the UK government): `GIR 0AA`, or an outward code of
/// A9, A99, A9A, AA9, AA99 or AA9A followed by an inward code 9AA, where the first letter is not
/// Q, V or X; the second letter is not I, J or Z; the third-position letter of A9A is one of
/// ABCDEFGHJKPSTUW; the fourth-position letter of AA9A is one of ABEHMNPRVWXY; and the two inward
/// letters are never C, I, K, M, O or V.
pub fn normalise_uk_postcode(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact == "GIR0AA" {
        return Some("GIR 0AA".into());
    }
    let b = compact.as_bytes();
    if !(5..=7).contains(&b.len()) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = b.split_at(b.len() - 3);
    let inward_ok = inward[0].is_ascii_digit()
        && inward[1..]
            .iter()
            .all(|c| b"ABDEFGHJLNPQRSTUWXYZ".contains(c));
    if !inward_ok || !outward_ok(outward) {
        return None;
    }
    Some(format!(
        "{} {}",
        std::str::from_utf8(outward).ok()?,
        std::str::from_utf8(inward).ok()?
    ))
}

fn outward_ok(o: &[u8]) -> bool {
    let first = |c: u8| c.is_ascii_uppercase() && !b"QVX".contains(&c);
    let second = |c: u8| c.is_ascii_uppercase() && !b"IJZ".contains(&c);
    let d = |c: u8| c.is_ascii_digit();
    match *o {
        // A9
        [a, n] => first(a) && d(n),
        // A99, A9A, AA9
        [a, x, y] => {
            first(a)
                && ((d(x) && d(y))
                    || (d(x) && b"ABCDEFGHJKPSTUW".contains(&y))
                    || (second(x) && d(y)))
        }
        // AA99, AA9A
        [a, b2, n, x] => first(a) && second(b2) && d(n) && (d(x) || b"ABEHMNPRVWXY".contains(&x)),
        _ => false,
    }
}

/// Standardise a snapshot address; problems are pushed to `errors` with paths under `path`
/// (e.g. `BillingAddress.ZipPostalCode`). Returns the address even when it has problems, so
/// mapping can go on and report everything else too.
pub fn standardise(
    a: &OrderAddress,
    path: &str,
    errors: &mut Vec<ValidationError>,
) -> CanonicalAddress {
    let country_raw = clean_text(a.country_two_letter_iso_code.as_deref());
    let country = match &country_raw {
        None => {
            errors.push(ValidationError::new(
                ErrorCode::InvalidCountry,
                format!("{path}.CountryTwoLetterIsoCode"),
                format!("The {} has no country.", describe(path)),
            ));
            None
        }
        Some(c) => {
            let up = c.to_ascii_uppercase();
            if up.len() == 2 && up.bytes().all(|b| b.is_ascii_uppercase()) {
                Some(up)
            } else {
                errors.push(ValidationError::new(
                    ErrorCode::InvalidCountry,
                    format!("{path}.CountryTwoLetterIsoCode"),
                    format!(
                        "The {}'s country '{}' is not a two-letter ISO country code such as GB.",
                        describe(path),
                        quote(c)
                    ),
                ));
                None
            }
        }
    };
    let postcode_raw = clean_text(a.zip_postal_code.as_deref());
    let post_code = match (&country, &postcode_raw) {
        (Some(c), Some(p)) if uses_uk_postcodes(c) => match normalise_uk_postcode(p) {
            Some(ok) => Some(ok),
            None => {
                errors.push(ValidationError::new(
                    ErrorCode::InvalidPostcode,
                    format!("{path}.ZipPostalCode"),
                    format!(
                        "The {}'s postcode '{}' is not a valid UK postcode (for example SW1A 1AA).",
                        describe(path),
                        quote(p)
                    ),
                ));
                Some(p.to_uppercase())
            }
        },
        (Some(c), None) if uses_uk_postcodes(c) => {
            errors.push(ValidationError::new(
                ErrorCode::InvalidPostcode,
                format!("{path}.ZipPostalCode"),
                format!("The {} is in the UK but has no postcode.", describe(path)),
            ));
            None
        }
        (_, p) => p.as_ref().map(|p| p.to_uppercase()),
    };
    CanonicalAddress {
        line1: clean_text(a.address1.as_deref()),
        line2: clean_text(a.address2.as_deref()),
        line3: clean_text(a.city.as_deref()),
        line4: clean_text(a.county.as_deref())
            .or_else(|| clean_text(a.state_province_abbreviation.as_deref())),
        post_code,
        country_code: country,
        country_name: None,
    }
}

fn describe(path: &str) -> &str {
    match path {
        "BillingAddress" => "billing address",
        "ShippingAddress" => "shipping address",
        _ => "address",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_uk_postcodes_are_standardised() {
        for (raw, want) in [
            ("sw1a1aa", "SW1A 1AA"),
            (" SW1A   1AA ", "SW1A 1AA"),
            ("M1 1AE", "M1 1AE"),
            ("b338th", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("gir0aa", "GIR 0AA"),
            ("GY1 1AA", "GY1 1AA"),
            ("BT1 5GS", "BT1 5GS"),
        ] {
            assert_eq!(normalise_uk_postcode(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn invalid_uk_postcodes_are_refused() {
        for raw in [
            "",
            "SW1A",
            "SW1A 1A",
            "QA1 1AA",  // Q never first
            "AI1 1AA",  // I never second
            "A1I 1AA",  // I not allowed third in A9A
            "AA1C 1AA", // C not allowed fourth in AA9A
            "SW1A 1AC", // C never in the inward code
            "SW1A 1IA",
            "12345",
            "SW1A 1AAA",
            "SW1A-1AA",
            "ÅW1A 1AA",
            "GIR 0AB",
        ] {
            assert_eq!(normalise_uk_postcode(raw), None, "{raw}");
        }
    }

    #[test]
    fn text_is_trimmed_and_collapsed() {
        assert_eq!(
            clean_text(Some("  12 \t High\n Street ")).as_deref(),
            Some("12 High Street")
        );
        assert_eq!(clean_text(Some("a\u{a0}\u{a0}b")).as_deref(), Some("a b"));
        assert_eq!(clean_text(Some("   ")), None);
        assert_eq!(clean_text(None), None);
    }
}
