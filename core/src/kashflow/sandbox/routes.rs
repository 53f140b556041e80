//! The sandbox's URL table: which KashFlow route a method + path is, with its path parameters.
//! Literal segments match ignoring case (ASP.NET routing does); parameters are percent-decoded.

use percent_encoding::percent_decode_str;

/// A recognised route with its (decoded) path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    TokenCreate,
    TokenExchange,
    TokenDelete,
    TokenDeleteOne(String),
    CustomersList,
    CustomersSearch,
    CustomerGet(String),
    CustomerCreate,
    CustomerUpdate(String),
    InvoicesList,
    InvoiceGet(String),
    InvoiceCreate,
    InvoiceUpdate(String),
    InvoiceDelete(String),
    NextInvoiceNumber,
    BulkPaymentCreate,
    BulkPaymentGet(String),
    ProductsList,
    ProductCreate,
    ProductGet(String, String),
    ProductUpdate(String, String),
    NominalProducts(String),
    NominalsList,
    NominalGet(String),
    VatRates,
    Currencies,
    BankAccounts,
    BankAccountGet(String),
    PaymentMethods(String),
    /// `GET /internal/invoices/{invoiceid}/credits` (the invoice's internal `Id`).
    InvoiceCredits(String),
    /// `POST /internal/invoices/{invoiceid}/credits`: apply a credit.
    InvoiceCreditApply(String),
}

impl Route {
    /// The route template, as used in call counts and fault rules (e.g. `/invoices/{number}`).
    pub fn template(&self) -> &'static str {
        use Route::*;
        match self {
            TokenCreate | TokenExchange | TokenDelete => "/sessiontoken",
            TokenDeleteOne(_) => "/sessiontoken/{token}",
            CustomersList | CustomerCreate => "/customers",
            CustomersSearch => "/customers/search",
            CustomerGet(_) | CustomerUpdate(_) => "/customers/{code}",
            InvoicesList | InvoiceCreate => "/invoices",
            InvoiceGet(_) | InvoiceUpdate(_) | InvoiceDelete(_) => "/invoices/{number}",
            NextInvoiceNumber => "/nextavailableinvoicenumber",
            BulkPaymentCreate => "/invoices/bulk/payments",
            BulkPaymentGet(_) => "/invoices/bulk/payments/{number}",
            ProductsList | ProductCreate => "/products",
            ProductGet(..) | ProductUpdate(..) => "/products/{nominal}/{code}",
            NominalProducts(_) => "/nominals/{code}/products",
            NominalsList => "/nominals",
            NominalGet(_) => "/nominals/{code}",
            VatRates => "/vat/settings/vatrates",
            Currencies => "/currencies",
            BankAccounts => "/bankaccounts",
            BankAccountGet(_) => "/bankaccounts/{id}",
            PaymentMethods(_) => "/paymentmethods/{type}",
            InvoiceCredits(_) | InvoiceCreditApply(_) => "/internal/invoices/{id}/credits",
        }
    }

    /// Login routes need no session token.
    pub fn is_login(&self) -> bool {
        matches!(self, Route::TokenCreate | Route::TokenExchange)
    }

    /// Match a method and a full path (`/v2/...`).
    pub fn parse(method: &str, path: &str) -> Option<Route> {
        use Route::*;
        let rest = strip_prefix_ci(path, "/v2")?;
        let segs: Vec<String> = rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let lit = |i: usize, s: &str| segs.get(i).is_some_and(|x| x.eq_ignore_ascii_case(s));
        let arg = |i: usize| segs[i].clone();
        let n = segs.len();
        let m = method.to_ascii_uppercase();
        let route = match (m.as_str(), n) {
            ("POST", 1) if lit(0, "sessiontoken") => TokenCreate,
            ("PUT", 1) if lit(0, "sessiontoken") => TokenExchange,
            ("DELETE", 1) if lit(0, "sessiontoken") => TokenDelete,
            ("DELETE", 2) if lit(0, "sessiontoken") => TokenDeleteOne(arg(1)),
            ("GET", 1) if lit(0, "customers") => CustomersList,
            ("POST", 1) if lit(0, "customers") => CustomerCreate,
            ("GET", 2) if lit(0, "customers") && lit(1, "search") => CustomersSearch,
            ("GET", 2) if lit(0, "customers") => CustomerGet(arg(1)),
            ("PUT", 2) if lit(0, "customers") => CustomerUpdate(arg(1)),
            ("GET", 1) if lit(0, "invoices") => InvoicesList,
            ("POST", 1) if lit(0, "invoices") => InvoiceCreate,
            ("POST", 3) if lit(0, "invoices") && lit(1, "bulk") && lit(2, "payments") => {
                BulkPaymentCreate
            }
            ("GET", 4) if lit(0, "invoices") && lit(1, "bulk") && lit(2, "payments") => {
                BulkPaymentGet(arg(3))
            }
            ("GET", 2) if lit(0, "invoices") => InvoiceGet(arg(1)),
            ("PUT", 2) if lit(0, "invoices") => InvoiceUpdate(arg(1)),
            ("DELETE", 2) if lit(0, "invoices") => InvoiceDelete(arg(1)),
            ("GET", 1) if lit(0, "nextavailableinvoicenumber") => NextInvoiceNumber,
            ("GET", 1) if lit(0, "products") => ProductsList,
            ("POST", 1) if lit(0, "products") => ProductCreate,
            ("GET", 3) if lit(0, "products") => ProductGet(arg(1), arg(2)),
            ("PUT", 3) if lit(0, "products") => ProductUpdate(arg(1), arg(2)),
            ("GET", 1) if lit(0, "nominals") => NominalsList,
            ("GET", 2) if lit(0, "nominals") => NominalGet(arg(1)),
            ("GET", 3) if lit(0, "nominals") && lit(2, "products") => NominalProducts(arg(1)),
            ("GET", 3) if lit(0, "vat") && lit(1, "settings") && lit(2, "vatrates") => VatRates,
            ("GET", 1) if lit(0, "currencies") => Currencies,
            ("GET", 1) if lit(0, "bankaccounts") => BankAccounts,
            ("GET", 2) if lit(0, "bankaccounts") => BankAccountGet(arg(1)),
            ("GET", 2) if lit(0, "paymentmethods") => PaymentMethods(arg(1)),
            ("GET", 4) if lit(0, "internal") && lit(1, "invoices") && lit(3, "credits") => {
                InvoiceCredits(arg(2))
            }
            ("POST", 4) if lit(0, "internal") && lit(1, "invoices") && lit(3, "credits") => {
                InvoiceCreditApply(arg(2))
            }
            _ => return None,
        };
        Some(route)
    }
}

fn strip_prefix_ci<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let head = path.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = &path[prefix.len()..];
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_ignoring_case_and_decode_parameters() {
        assert_eq!(
            Route::parse("get", "/V2/Customers/AB%20C%2F1"),
            Some(Route::CustomerGet("AB C/1".into()))
        );
        assert_eq!(
            Route::parse("GET", "/v2/customers/search"),
            Some(Route::CustomersSearch)
        );
        assert_eq!(
            Route::parse("POST", "/v2/invoices/bulk/payments"),
            Some(Route::BulkPaymentCreate)
        );
        assert_eq!(
            Route::parse("PUT", "/v2/products/4000/MUG-CLASSIC"),
            Some(Route::ProductUpdate("4000".into(), "MUG-CLASSIC".into()))
        );
        assert_eq!(Route::parse("GET", "/v3/invoices"), None);
        assert_eq!(Route::parse("GET", "/v2x/invoices"), None);
        assert_eq!(Route::parse("PATCH", "/v2/invoices/1"), None);
        assert_eq!(
            Route::InvoiceDelete("1".into()).template(),
            "/invoices/{number}"
        );
    }
}
