//! Customer identity: the normalised e-mail (the engine matches existing KashFlow customers by
//! it) and the deterministic customer code. `buyer` builds the whole customer.
//!
//! Codes (A–Z, 0–9, at most 20 characters):
//! - from the customer Id: `Prefix` + Id zero-padded to `IdWidth` ("NOP000123");
//! - from the e-mail: `Prefix` + up to 6 letters/digits of the local part + one letter + 9
//!   base-36 characters of the 64-bit FNV-1a hash of the normalised e-mail ("NOPJSMITHQ3K0Z9A2B").
//!   The hash part always starts with a letter, so an e-mail code never looks like an Id code.
//!   FNV-1a is fixed and simple, so any other implementation (e.g. C#) can reproduce it.

use super::rules::{CustomerCodeRules, CustomerCodeStrategy};

/// Longest customer code we produce.
pub const MAX_CODE_LEN: usize = 20;

/// Lower-case and trim an e-mail address.
pub fn normalise_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// A deliberately simple check: one '@', a non-empty local part, a domain with a dot and no empty
/// labels, no whitespace or control characters, at most 254 characters. Non-ASCII is allowed.
pub fn is_valid_email(e: &str) -> bool {
    if e.len() > 254 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

/// 64-bit FNV-1a.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const B36: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Code from a nopCommerce customer Id.
pub fn code_from_id(prefix: &str, width: u32, id: i64) -> String {
    format!("{prefix}{id:0width$}", width = width as usize)
}

/// Code from a normalised e-mail address.
pub fn code_from_email(prefix: &str, email: &str) -> String {
    let local = email.split('@').next().unwrap_or("");
    let readable: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .take(6)
        .collect();
    let mut h = fnv1a64(email.as_bytes());
    let mut hash = String::with_capacity(10);
    hash.push(char::from(B36[10 + (h % 26) as usize]));
    h /= 26;
    for _ in 0..9 {
        hash.push(char::from(B36[(h % 36) as usize]));
        h /= 36;
    }
    let mut code = format!("{prefix}{readable}");
    code.truncate(MAX_CODE_LEN - hash.len());
    code.push_str(&hash);
    code
}

/// The customer code for an order's customer under the rules.
pub fn customer_code(
    rules: &CustomerCodeRules,
    customer_id: i64,
    is_guest: bool,
    email: &str,
) -> String {
    let strategy = if is_guest {
        rules.guest_strategy
    } else {
        rules.strategy
    };
    match strategy {
        CustomerCodeStrategy::FromCustomerId => {
            code_from_id(&rules.prefix, rules.id_width, customer_id)
        }
        CustomerCodeStrategy::FromEmail => code_from_email(&rules.prefix, email),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_codes_are_zero_padded() {
        assert_eq!(code_from_id("NOP", 6, 123), "NOP000123");
        assert_eq!(code_from_id("NOP", 6, 1234567), "NOP1234567");
    }

    #[test]
    fn email_codes_are_stable_short_and_alphanumeric() {
        let a = code_from_email("NOP", "jane.smith@example.co.uk");
        assert_eq!(a, code_from_email("NOP", "jane.smith@example.co.uk"));
        assert!(a.starts_with("NOPJANESM"));
        assert!(a.len() <= MAX_CODE_LEN);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert_ne!(a, code_from_email("NOP", "jane.smith@example.com"));
        let b = code_from_email("ABCD", "zoë@example.de");
        assert!(b.len() <= MAX_CODE_LEN && b.starts_with("ABCDZ"));
        // Hash part starts with a letter.
        assert!(a.as_bytes()[9].is_ascii_uppercase());
    }

    #[test]
    fn fnv_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn email_check() {
        for ok in ["a@b.co", "jane.smith+shop@example.co.uk", "zoë@bücher.de"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.com",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            "a@.com",
            ".a@b.com",
            "a..b@c.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }
}
