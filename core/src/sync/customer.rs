//! Which KashFlow customer an order is for: found, or created exactly once.
//!
//! Order of looking (cheapest first): this process's memory, the journal's ledger (e-mail →
//! code), KashFlow's customer search by e-mail, then create with the mapping's deterministic code.
//! A "duplicate code" answer — or a create whose answer was lost — means the customer is there:
//! fetch it by code and reuse it. The whole lookup runs under the engine's per-key lock on the
//! normalised e-mail, so two orders of one new customer processed at once create one customer.
//! Across processes sharing a journal, only the holder of the engine's active-worker lease runs
//! jobs, and every request (the search and the create included) is sent only while it holds it;
//! a process taking over starts with an empty memory, so it re-checks the ledger and searches
//! KashFlow by e-mail before creating.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::engine::{JobContext, LedgerEntry, LedgerKind, LogLevel};
use crate::kashflow::error::FailureClass;
use crate::kashflow::model::Customer;
use crate::mapping::canonical::CanonicalCustomer;
use crate::mapping::customer::normalise_email;
use crate::mapping::to_kashflow::customer_request;

use super::connection::Connection;
use super::failure::{is_duplicate, Failure};
use super::trace::traced_op;
use crate::kashflow::transport::Op;

/// E-mail → customer code, for customers this process has already resolved.
#[derive(Default)]
pub struct CustomerCache {
    map: Mutex<HashMap<String, String>>,
}

impl CustomerCache {
    fn get(&self, email: &str) -> Option<String> {
        self.map.lock().ok()?.get(email).cloned()
    }
    fn put(&self, email: &str, code: &str) {
        if let Ok(mut m) = self.map.lock() {
            m.insert(email.to_string(), code.to_string());
        }
    }
    /// Forget one e-mail's customer (KashFlow no longer has it).
    fn forget(&self, email: &str) {
        if let Ok(mut m) = self.map.lock() {
            m.remove(email);
        }
    }
    /// Forget everything (after a reconfigure to another KashFlow account).
    pub fn clear(&self) {
        if let Ok(mut m) = self.map.lock() {
            m.clear();
        }
    }
}

/// How the customer was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Memory,
    Ledger,
    Search,
    Created,
    /// The create was refused as a duplicate (or its answer was lost) and the code was fetched.
    Adopted,
    /// Customer sync is off: the mapping's code is used as it is.
    Assumed,
}

#[derive(Debug, Clone)]
pub struct Resolved {
    pub code: String,
    pub source: Source,
    /// The ledger entry to record with the job's result (none when it came from the ledger).
    pub ledger: Option<LedgerEntry>,
}

fn entry(email: &str, code: &str) -> Option<LedgerEntry> {
    Some(LedgerEntry {
        kind: LedgerKind::EmailCustomer,
        key: email.to_string(),
        value: code.to_string(),
    })
}

/// Of the customers KashFlow found for an e-mail, the one to use: ours (the deterministic code)
/// if it is among them, else the oldest code (stable from one order to the next).
fn pick(found: &[Customer], wanted: &str) -> Option<String> {
    if let Some(c) = found.iter().find(|c| c.code.eq_ignore_ascii_case(wanted)) {
        return Some(c.code.clone());
    }
    found
        .iter()
        .filter(|c| !c.code.is_empty())
        .min_by_key(|c| (c.id.unwrap_or(i64::MAX), c.code.clone()))
        .map(|c| c.code.clone())
}

pub async fn resolve(
    ctx: &JobContext<'_>,
    conn: &Connection,
    cache: &CustomerCache,
    customer: &CanonicalCustomer,
    sync_customers: bool,
) -> Result<Resolved, Failure> {
    resolve_from(ctx, conn, cache, customer, sync_customers, true).await
}

/// The customer again, after KashFlow refused the remembered code (deleted or merged there):
/// memory and ledger are passed over, and KashFlow is searched by e-mail (then the customer is
/// created) as for a new one. The new code replaces the ledger's with the job's result.
pub async fn resolve_again(
    ctx: &JobContext<'_>,
    conn: &Connection,
    cache: &CustomerCache,
    customer: &CanonicalCustomer,
) -> Result<Resolved, Failure> {
    cache.forget(&normalise_email(&customer.email));
    resolve_from(ctx, conn, cache, customer, true, false).await
}

async fn resolve_from(
    ctx: &JobContext<'_>,
    conn: &Connection,
    cache: &CustomerCache,
    customer: &CanonicalCustomer,
    sync_customers: bool,
    trust_remembered: bool,
) -> Result<Resolved, Failure> {
    let email = normalise_email(&customer.email);
    if !sync_customers {
        return Ok(Resolved {
            code: customer.code.clone(),
            source: Source::Assumed,
            ledger: None,
        });
    }
    let _key = ctx.lock_key(&format!("customer:{email}")).await;
    if !trust_remembered {
        // Straight to KashFlow's search below.
    } else if let Some(code) = cache.get(&email) {
        return Ok(Resolved {
            code,
            source: Source::Memory,
            ledger: None,
        });
    }
    match ctx
        .ledger(LedgerKind::EmailCustomer, &email)
        .map(|c| c.filter(|_| trust_remembered))
    {
        Ok(Some(code)) => {
            cache.put(&email, &code);
            return Ok(Resolved {
                code,
                source: Source::Ledger,
                ledger: None,
            });
        }
        Ok(None) => {}
        Err(e) => {
            return Err(Failure::Wait {
                reason: format!("the journal could not be read: {e}"),
                recheck_after: Some(std::time::Duration::from_secs(5)),
            })
        }
    }

    let found = match traced_op(
        ctx,
        conn,
        Op::FindCustomersByEmail,
        conn.transport.find_customers_by_email(&email),
    )
    .await
    {
        Ok(found) => found,
        // KashFlow's search parameters are undocumented: if a live account refuses ours, carry
        // on with the deterministic code (a duplicate answer below still finds the customer).
        Err(e) if e.class() == FailureClass::Permanent => {
            ctx.log(
                LogLevel::Warn,
                &format!(
                    "KashFlow customer search by e-mail was refused ({e}); using the customer code"
                ),
            );
            Vec::new()
        }
        Err(e) => {
            return Err(Failure::kf(
                format!("searching KashFlow customers by e-mail {email}"),
                e,
            ))
        }
    };
    if let Some(code) = pick(&found, &customer.code) {
        cache.put(&email, &code);
        return Ok(Resolved {
            ledger: entry(&email, &code),
            code,
            source: Source::Search,
        });
    }

    let request = customer_request(customer);
    let code = customer.code.clone();
    let created = traced_op(
        ctx,
        conn,
        Op::CreateCustomer,
        conn.transport.create_customer(&request),
    )
    .await;
    let (code, source) = match created {
        Ok(c) => (
            if c.code.is_empty() { code } else { c.code },
            Source::Created,
        ),
        Err(e) if is_duplicate(&e) || e.class() == FailureClass::OutcomeUnknown => {
            // The code is taken (by our own earlier attempt, or by someone else using our scheme):
            // look at it and reuse it. KashFlow's codes are unique, so this cannot create a second.
            let existing = traced_op(
                ctx,
                conn,
                Op::GetCustomer(&code),
                conn.transport.get_customer(&code),
            )
            .await
            .map_err(|e2| Failure::kf(format!("reading KashFlow customer {code}"), e2))?;
            match existing {
                Some(c) => (c.code, Source::Adopted),
                // Not there after all: the create did not happen. Retry later.
                None => return Err(Failure::kf(format!("creating KashFlow customer {code}"), e)),
            }
        }
        Err(e) => return Err(Failure::kf(format!("creating KashFlow customer {code}"), e)),
    };
    cache.put(&email, &code);
    Ok(Resolved {
        ledger: entry(&email, &code),
        code,
        source,
    })
}

/// A flow's roll-up customer (one KashFlow customer for many orders, e.g. "WEBSALES"): found by
/// its code, else created once, with only its name (no buyer's e-mail or address: it stands for
/// many). Under the engine's per-key lock on the code, so two orders at once create it once; a
/// duplicate answer, or a lost one, means it is there. Remembered in this process by code.
pub async fn resolve_roll_up(
    ctx: &JobContext<'_>,
    conn: &Connection,
    cache: &CustomerCache,
    code: &str,
    name: &str,
) -> Result<Resolved, Failure> {
    let key = format!("roll-up:{}", code.to_ascii_uppercase());
    if let Some(code) = cache.get(&key) {
        return Ok(Resolved {
            code,
            source: Source::Memory,
            ledger: None,
        });
    }
    let _key = ctx.lock_key(&key).await;
    let found = traced_op(
        ctx,
        conn,
        Op::GetCustomer(code),
        conn.transport.get_customer(code),
    )
    .await
    .map_err(|e| Failure::kf(format!("reading KashFlow customer {code}"), e))?;
    if let Some(c) = found {
        cache.put(&key, &c.code);
        return Ok(Resolved {
            code: c.code,
            source: Source::Search,
            ledger: None,
        });
    }
    let request = Customer {
        code: code.to_string(),
        name: name.to_string(),
        note: Some(
            "Created by KashFlow Sync for nopCommerce: the roll-up customer of a flow".into(),
        ),
        ..Customer::default()
    };
    let created = traced_op(
        ctx,
        conn,
        Op::CreateCustomer,
        conn.transport.create_customer(&request),
    )
    .await;
    let source = match created {
        Ok(_) => Source::Created,
        Err(e) if is_duplicate(&e) || e.class() == FailureClass::OutcomeUnknown => {
            let again = traced_op(
                ctx,
                conn,
                Op::GetCustomer(code),
                conn.transport.get_customer(code),
            )
            .await
            .map_err(|e2| Failure::kf(format!("reading KashFlow customer {code}"), e2))?;
            if again.is_none() {
                return Err(Failure::kf(format!("creating KashFlow customer {code}"), e));
            }
            Source::Adopted
        }
        Err(e) => return Err(Failure::kf(format!("creating KashFlow customer {code}"), e)),
    };
    cache.put(&key, code);
    Ok(Resolved {
        code: code.to_string(),
        source,
        ledger: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str, id: i64) -> Customer {
        Customer {
            code: code.into(),
            id: Some(id),
            ..Default::default()
        }
    }

    #[test]
    fn picks_our_code_else_the_oldest() {
        let found = vec![c("SMI02", 9), c("NOP000123", 12), c("SMI01", 3)];
        assert_eq!(pick(&found, "nop000123").as_deref(), Some("NOP000123"));
        assert_eq!(pick(&found, "NOP999").as_deref(), Some("SMI01"));
        assert_eq!(pick(&[], "X"), None);
    }
}
