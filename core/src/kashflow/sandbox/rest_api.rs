//! The REST v2 API's answers: each route of `routes` applied to the account (`state`), with the
//! login steps, the session check, paging (`{Data, MetaData}`) and sorting of lists.

use serde::Serialize;
use serde_json::Value;

use super::reply::{ApiError, Outcome, Reply};
use super::routes::Route;
use super::serve::Query;
use super::server::{lock, Shared, DEFAULT_PER_PAGE, MAX_PER_PAGE};
use crate::kashflow::caseless;
use crate::kashflow::model::{
    Customer, Invoice, ListMetaData, PagedList, Product, SessionTokenRequest, TemporaryTokenRequest,
};

fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::bad_request(
            "InvalidRequest",
            "The request needs a JSON body.",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(
            "InvalidRequest",
            format!("The request body is not valid JSON: {e}"),
        )
    })
}

fn number_param(what: &str, s: &str) -> Result<i64, ApiError> {
    s.trim().parse().map_err(|_| {
        ApiError::bad_request(
            "InvalidParameters",
            format!("{what} '{s}' is not a whole number."),
        )
    })
}

pub(super) fn dispatch(
    shared: &Shared,
    route: &Route,
    q: &Query,
    body: &[u8],
    auth: Option<&str>,
) -> Outcome {
    use Route::*;
    let now = shared.clock.now();
    match route {
        TokenCreate => {
            let req: TemporaryTokenRequest = decode_login(body)?;
            return Reply::ok(&lock(&shared.auth).step1(&req, now)?);
        }
        TokenExchange => {
            let req: SessionTokenRequest = decode_login(body)?;
            return Reply::ok(&lock(&shared.auth).step2(&req, now)?);
        }
        _ => {}
    }
    let token = lock(&shared.auth).authorize(auth, now)?;
    let acct = || lock(&shared.account);
    match route {
        TokenCreate | TokenExchange => unreachable!("handled above"),
        TokenDelete => {
            lock(&shared.auth).revoke(&token);
            Ok(Reply::no_content())
        }
        TokenDeleteOne(t) => {
            if lock(&shared.auth).revoke(t) {
                Ok(Reply::no_content())
            } else {
                Err(ApiError::not_found("No such session token."))
            }
        }
        CustomersList => {
            let mut items: Vec<Customer> = acct().customers().cloned().collect();
            sort_customers(&mut items, q)?;
            paged(items, q, &shared.base_url, "/customers")
        }
        CustomersSearch => {
            let (email, code, name) = (q.get("email"), q.get("code"), q.get("name"));
            if email.is_none() && code.is_none() && name.is_none() {
                return Err(ApiError::bad_request(
                    "InvalidParameters",
                    "Search needs at least one of email, code or name.",
                ));
            }
            let found = acct().search_customers(
                email.map(String::as_str),
                code.map(String::as_str),
                name.map(String::as_str),
            );
            Reply::ok(&found)
        }
        CustomerGet(code) => match acct().customer(code) {
            Some(c) => Reply::ok(c),
            None => Err(ApiError::not_found(format!(
                "Customer '{code}' was not found."
            ))),
        },
        CustomerCreate => {
            let c = acct().create_customer(&json_body(body)?)?;
            let loc = format!("/v2/customers/{}", path_segment(&c.code));
            Reply::created(&c, loc)
        }
        CustomerUpdate(code) => Reply::ok(&acct().update_customer(code, &json_body(body)?)?),
        InvoicesList => {
            let mut items: Vec<Invoice> = acct().invoices().map(summary).collect();
            sort_invoices(&mut items, q)?;
            paged(items, q, &shared.base_url, "/invoices")
        }
        InvoiceGet(n) => {
            let n = number_param("Invoice number", n)?;
            match acct().invoice(n) {
                Some(i) => Reply::ok(i),
                None => Err(ApiError::not_found(format!("Invoice {n} was not found."))),
            }
        }
        InvoiceCreate => {
            let inv = acct().create_invoice(&json_body(body)?)?;
            let loc = format!("/v2/invoices/{}", inv.number.unwrap_or_default());
            Reply::created(&inv, loc)
        }
        InvoiceUpdate(n) => {
            let n = number_param("Invoice number", n)?;
            Reply::ok(&acct().update_invoice(n, &json_body(body)?)?)
        }
        InvoiceDelete(n) => {
            let n = number_param("Invoice number", n)?;
            acct().delete_invoice(n)?;
            Ok(Reply::no_content())
        }
        NextInvoiceNumber => Reply::ok(&acct().next_invoice_number()),
        InvoiceCredits(id) => {
            let id = number_param("Invoice id", id)?;
            Reply::ok(&acct().credits_for(id)?)
        }
        InvoiceCreditApply(id) => {
            let id = number_param("Invoice id", id)?;
            let applied = acct().apply_credit(id, &json_body(body)?)?;
            let loc = format!("/v2/internal/invoices/{id}/credits");
            Reply::created(&applied, loc)
        }
        BulkPaymentCreate => {
            let b = acct().create_bulk_payment(&json_body(body)?)?;
            let loc = format!(
                "/v2/invoices/bulk/payments/{}",
                b.number.unwrap_or_default()
            );
            Reply::created(&b, loc)
        }
        BulkPaymentGet(n) => {
            let n = number_param("Bulk payment number", n)?;
            match acct().bulk_payment(n) {
                Some(b) => Reply::ok(b),
                None => Err(ApiError::not_found(format!(
                    "Bulk payment {n} was not found."
                ))),
            }
        }
        ProductsList => {
            let filter = match q.get("nominalcode") {
                Some(n) => Some(number_param("nominalcode", n)?),
                None => None,
            };
            let items: Vec<Product> = acct()
                .products()
                .filter(|p| filter.is_none_or(|n| p.nominal_code == n))
                .cloned()
                .collect();
            paged(items, q, &shared.base_url, "/products")
        }
        ProductCreate => {
            let p = acct().create_product(&json_body(body)?)?;
            let loc = format!("/v2/products/{}/{}", p.nominal_code, path_segment(&p.code));
            Reply::created(&p, loc)
        }
        ProductGet(nominal, code) => {
            let nominal = number_param("Nominal code", nominal)?;
            match acct().product_at(nominal, code) {
                Some(p) => Reply::ok(p),
                None => Err(ApiError::not_found(format!(
                    "Product '{code}' under nominal {nominal} was not found."
                ))),
            }
        }
        ProductUpdate(nominal, code) => {
            let nominal = number_param("Nominal code", nominal)?;
            Reply::ok(&acct().update_product(nominal, code, &json_body(body)?)?)
        }
        NominalProducts(nominal) => {
            let nominal = number_param("Nominal code", nominal)?;
            let a = acct();
            if !a.nominals.contains_key(&nominal) {
                return Err(ApiError::not_found(format!(
                    "Nominal {nominal} was not found."
                )));
            }
            let items: Vec<Product> = a
                .products()
                .filter(|p| p.nominal_code == nominal)
                .cloned()
                .collect();
            Reply::ok(&items)
        }
        NominalsList => {
            let items: Vec<_> = acct().nominals.values().cloned().collect();
            paged(items, q, &shared.base_url, "/nominals")
        }
        NominalGet(code) => {
            let code = number_param("Nominal code", code)?;
            match acct().nominals.get(&code) {
                Some(n) => Reply::ok(n),
                None => Err(ApiError::not_found(format!(
                    "Nominal {code} was not found."
                ))),
            }
        }
        VatRates => Reply::ok(&acct().vat_rates),
        Currencies => Reply::ok(&acct().currencies),
        BankAccounts => Reply::ok(&acct().bank_accounts),
        BankAccountGet(id) => {
            let id = number_param("Bank account id", id)?;
            match acct().bank_accounts.iter().find(|b| b.id == id) {
                Some(b) => Reply::ok(b),
                None => Err(ApiError::not_found(format!(
                    "Bank account {id} was not found."
                ))),
            }
        }
        PaymentMethods(kind) => {
            if kind.eq_ignore_ascii_case("invoice") {
                Reply::ok(&acct().payment_methods)
            } else if kind.eq_ignore_ascii_case("purchase") {
                // The sandbox keeps no purchase ledger; the same methods apply.
                Reply::ok(&acct().payment_methods)
            } else {
                Err(ApiError::bad_request(
                    "InvalidParameters",
                    format!("Payment method type '{kind}' is not 'invoice' or 'purchase'."),
                ))
            }
        }
    }
}

fn decode_login<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let v = json_body(body)?;
    caseless::from_value(v).map_err(|e| {
        ApiError::bad_request(
            "InvalidRequest",
            format!("The login request could not be read: {e}"),
        )
    })
}

fn path_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A list row: the invoice header without lines and payments (as KashFlow's list returns).
fn summary(i: &Invoice) -> Invoice {
    Invoice {
        line_items: None,
        payment_lines: None,
        ..i.clone()
    }
}

fn order_desc(q: &Query) -> Result<bool, ApiError> {
    match q.get("order").map(|o| o.to_ascii_lowercase()) {
        None => Ok(false),
        Some(o) if o == "asc" => Ok(false),
        Some(o) if o == "desc" => Ok(true),
        Some(o) => Err(ApiError::bad_request(
            "InvalidParameters",
            format!("order '{o}' must be Asc or Desc."),
        )),
    }
}

fn sort_invoices(items: &mut [Invoice], q: &Query) -> Result<(), ApiError> {
    let desc = order_desc(q)?;
    let by = q.get("sortby").map(|s| s.to_ascii_lowercase());
    match by.as_deref() {
        None | Some("number") => items.sort_by_key(|i| i.number),
        Some("invoicedate") => items.sort_by_key(|i| (i.issued_date, i.number)),
        Some("paymentduedate") => items.sort_by_key(|i| (i.due_date, i.number)),
        Some("grossamount") => items.sort_by_key(|i| (i.gross_amount, i.number)),
        Some("netamount") => items.sort_by_key(|i| (i.net_amount, i.number)),
        Some("customerref") => {
            items.sort_by(|a, b| a.customer_reference.cmp(&b.customer_reference))
        }
        Some("customername") => items.sort_by(|a, b| a.customer_name.cmp(&b.customer_name)),
        Some("status") => items.sort_by(|a, b| a.status.cmp(&b.status)),
        Some(other) => {
            return Err(ApiError::bad_request(
                "InvalidParameters",
                format!(
                "sortby '{other}' is not one of Number, CustomerRef, CustomerName, InvoiceDate, \
                     PaymentDueDate, GrossAmount, NetAmount, Status."
            ),
            ))
        }
    }
    if desc {
        items.reverse();
    }
    Ok(())
}

fn sort_customers(items: &mut [Customer], q: &Query) -> Result<(), ApiError> {
    let desc = order_desc(q)?;
    let by = q.get("sortby").map(|s| s.to_ascii_lowercase());
    match by.as_deref() {
        None | Some("code") => items.sort_by(|a, b| a.code.cmp(&b.code)),
        Some("name") => items.sort_by(|a, b| a.name.cmp(&b.name)),
        Some("totalpaidamount") => items.sort_by_key(|c| c.total_paid_amount),
        Some("outstandingbalance") => items.sort_by_key(|c| c.outstanding_balance),
        Some(other) => {
            return Err(ApiError::bad_request(
                "InvalidParameters",
                format!(
                "sortby '{other}' is not one of Code, Name, TotalPaidAmount, OutstandingBalance."
            ),
            ))
        }
    }
    if desc {
        items.reverse();
    }
    Ok(())
}

/// One page of `items` as `{Data, MetaData}`; `page` is 1-based.
fn paged<T: Serialize + Clone>(items: Vec<T>, q: &Query, base: &str, path: &str) -> Outcome {
    let page = match q.get("page") {
        None => 1,
        Some(p) => match p.trim().parse::<usize>() {
            Ok(p) if p >= 1 => p,
            _ => {
                return Err(ApiError::bad_request(
                    "InvalidParameters",
                    format!("page '{p}' must be a whole number from 1."),
                ))
            }
        },
    };
    let per_page = match q.get("perpage") {
        None => DEFAULT_PER_PAGE,
        Some(p) => match p.trim().parse::<usize>() {
            Ok(p) if (1..=MAX_PER_PAGE).contains(&p) => p,
            _ => {
                return Err(ApiError::bad_request(
                    "InvalidParameters",
                    format!("perpage '{p}' must be a whole number from 1 to {MAX_PER_PAGE}."),
                ))
            }
        },
    };
    let total = items.len();
    let last_page = total.div_ceil(per_page).max(1);
    let mut extra = String::new();
    for k in ["sortby", "order"] {
        if let Some(v) = q.get(k) {
            extra.push_str(&format!("&{k}={}", path_segment(v)));
        }
    }
    let url = |p: usize| format!("{base}{path}?page={p}&perpage={per_page}{extra}");
    let data: Vec<T> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Reply::ok(&PagedList {
        data,
        meta_data: ListMetaData {
            first_page_url: Some(url(1)),
            last_page_url: Some(url(last_page)),
            next_page_url: (page < last_page).then(|| url(page + 1)),
            previous_page_url: (page > 1).then(|| url((page - 1).min(last_page))),
            total_records: total as u64,
        },
    })
}
