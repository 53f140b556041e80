//! nopCommerce's `Order.TaxRates` string: `"{rate}:{tax};   "` per rate in invariant culture,
//! e.g. `"20:3.3333;   5:0.50;   "`. nopCommerce's own parser skips malformed entries silently;
//! we refuse them, since the string is produced by code and a bad one means a bug upstream.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::error::quote;

/// Parse the TaxRates string into rate (percent) → tax amount, in the primary store currency.
/// An empty string means no tax. Repeated rates are added together.
pub fn parse_tax_rates(text: &str) -> Result<BTreeMap<Decimal, Decimal>, String> {
    let mut out = BTreeMap::new();
    for entry in text.split(';') {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let (rate, tax) = entry
            .split_once(':')
            .ok_or_else(|| format!("entry '{}' is not 'rate:amount'", quote(entry)))?;
        let rate: Decimal = rate.trim().parse().map_err(|_| {
            format!(
                "'{}' in entry '{}' is not a tax rate",
                quote(rate.trim()),
                quote(entry)
            )
        })?;
        let tax: Decimal = tax.trim().parse().map_err(|_| {
            format!(
                "'{}' in entry '{}' is not an amount",
                quote(tax.trim()),
                quote(entry)
            )
        })?;
        *out.entry(rate.normalize()).or_insert(Decimal::ZERO) += tax;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn parses_nopcommerce_format() {
        let m = parse_tax_rates("20:3.3333;   5:0.50;   ").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[&d("20")], d("3.3333"));
        assert_eq!(m[&d("5")], d("0.50"));
        let m = parse_tax_rates("0:0;   ").unwrap();
        assert_eq!(m[&d("0")], d("0"));
        assert!(parse_tax_rates("").unwrap().is_empty());
        assert_eq!(parse_tax_rates("20.0000:1;20:2").unwrap()[&d("20")], d("3"));
    }

    #[test]
    fn refuses_malformed_entries() {
        assert!(parse_tax_rates("20=3.33;").is_err());
        assert!(parse_tax_rates("twenty:3.33;").is_err());
        assert!(parse_tax_rates("20:3,33;").is_err());
    }
}
