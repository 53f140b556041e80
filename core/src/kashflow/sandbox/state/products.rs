//! Products: create and full replacement of the editable fields (how stock is set by hand).

use super::*;

impl Account {
    pub(super) fn check_product(&self, p: &Product) -> Result<(), ApiError> {
        if p.name.trim().is_empty() {
            return Err(ApiError::bad_request(
                "InvalidProductName",
                "Name: is required.",
            ));
        }
        if !self.nominals.contains_key(&p.nominal_code) {
            return Err(ApiError::bad_request(
                "InvalidNominalCode",
                format!(
                    "NominalCode: {} is not a nominal code on this account.",
                    p.nominal_code
                ),
            ));
        }
        if !self.vat_rates.iter().any(|r| r.vat_rate == p.vat_rate) {
            return Err(ApiError::bad_request(
                "InvalidVATRate",
                format!(
                    "VATRate: {} is not one of this account's VAT rates.",
                    p.vat_rate.normalize()
                ),
            ));
        }
        Ok(())
    }

    /// `POST /products`.
    pub fn create_product(&mut self, raw: &Value) -> Result<Product, ApiError> {
        let mut p: Product = decode(raw, "product")?;
        p.code = p.code.trim().to_owned();
        if p.code.is_empty() {
            return Err(ApiError::bad_request(
                "InvalidProductCode",
                "Code: is required.",
            ));
        }
        if self.products.contains_key(&upper(&p.code)) {
            return Err(ApiError::bad_request(
                "DuplicateProductCode",
                format!("Code: product code '{}' already exists.", p.code),
            ));
        }
        self.check_product(&p)?;
        p.id = Some(self.next_product_id);
        self.next_product_id += 1;
        p.nominal_id = self.nominals.get(&p.nominal_code).and_then(|n| n.id);
        self.products.insert(upper(&p.code), p.clone());
        Ok(p)
    }

    /// `PUT /products/{nominal}/{code}`: full replacement of what the caller may set (this is
    /// how stock is adjusted by hand: send `QuantityInStock`).
    pub fn update_product(
        &mut self,
        nominal: i64,
        code: &str,
        raw: &Value,
    ) -> Result<Product, ApiError> {
        let existing = self.product_at(nominal, code).cloned().ok_or_else(|| {
            ApiError::not_found(format!(
                "Product '{code}' under nominal {nominal} was not found."
            ))
        })?;
        let mut p: Product = decode(raw, "product")?;
        if !p.code.trim().is_empty() && upper(&p.code) != upper(&existing.code) {
            return Err(ApiError::bad_request(
                "InvalidProductCode",
                format!(
                    "Code: '{}' does not match the product being updated ('{}').",
                    p.code, existing.code
                ),
            ));
        }
        if p.nominal_code != 0 && p.nominal_code != nominal {
            return Err(ApiError::bad_request(
                "InvalidNominalCode",
                format!(
                    "NominalCode: {} does not match the product's nominal {nominal}.",
                    p.nominal_code
                ),
            ));
        }
        p.code = existing.code.clone();
        p.nominal_code = nominal;
        p.id = existing.id;
        p.nominal_id = existing.nominal_id;
        self.check_product(&p)?;
        self.products.insert(upper(&p.code), p.clone());
        Ok(p)
    }
}
