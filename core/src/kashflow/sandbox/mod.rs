//! Sandbox KashFlow: a stateful, in-memory model of KashFlow REST v2 (and SOAP) served over real HTTP on
//! 127.0.0.1. It is the plugin's sandbox mode (a merchant tries the integration without a
//! KashFlow account) and the test double for everything else. Start it with
//! [`SandboxServer::start`]; the [`SandboxHandle`] gives the base URL (`http://127.0.0.1:PORT/v2`),
//! direct access to the account, call counts and fault injection.
//!
//! Modules: `seed` (the contract's UK account), `state` (data + business rules), `auth` (login,
//! sessions, lockout), `faults` (fault injection), `routes` (URL table), `server` (configuration, shared state, hyper start-up), `serve` (what
//! each request goes through: latency, faults, log), `rest_api` (the REST routes' answers),
//! `handle` (the [`SandboxHandle`]).
//!
//! The SOAP API (`soap_api`, at `/api/service.asmx`) answers over the same account; its guesses
//! are listed once, in `kashflow::soap::assumptions`, shared with the SOAP client.
//!
//! # Sandbox fidelity
//!
//! Where the KashFlow reference leaves behaviour unknown, the sandbox takes the strict reading.
//! Each guess (REST):
//!
//! - Bad user name or password → 400 `InvalidCredentials`; wrong memorable-word characters → 400
//!   `InvalidCredentials`; an unknown, used or expired temporary token → 400 `InvalidTemporaryToken`.
//! - A temporary token is good for one step-2 attempt within 5 minutes (configurable).
//! - 5 failed logins in a row (password or characters; configurable) lock the account for 30
//!   minutes: every login then gets 400 `AccountLocked`, even with the right credentials. Unknown
//!   user names do not count. A successful login resets the count.
//! - User name is matched ignoring case, password exactly, memorable-word characters ignoring case;
//!   step 2 must answer exactly the three positions asked.
//! - The `Authorization` scheme must be exactly `KfToken ` (`Bearer`, `X-SessionToken` → 401).
//! - `DELETE /sessiontoken/{token}` also needs a valid `KfToken` header; an unknown token → 404.
//! - Request keys are matched ignoring case; unknown fields are ignored; `null` for a plain value
//!   reads as 0 / false / "" / empty list.
//! - Customer codes are unique ignoring case and looked up ignoring case. An omitted `Code` is
//!   generated from the name (first 3 letters/digits + 2 digits: `SHA01`); a duplicate is refused
//!   (400 `DuplicateCustomerCode`) unless `CreateCustomerCodeIfDuplicate`, which generates one.
//! - `Name` is required (400) unless `CreateCustomerNameIfEmptyOrNull`, which uses the first
//!   contact's name, else the email, else "Customer".
//! - Customer `PUT` is a full replacement: omitted fields are cleared; `Id`, `Key`, `CreatedDate`
//!   and statistics stay KashFlow's; a body `Code` must match the URL.
//! - New customers get payment terms `{"Days": 30, "Type": "AfterInvoiceDate"}` (the type name is
//!   ours; only `AfterMonthEnd` is documented).
//! - `GET /customers/search?email=&code=&name=` (parameter names are ours): criteria combine with
//!   AND; `email` matches the top-level `Email` or any `Contacts[].Email` ignoring case; `name` is
//!   a substring match ignoring case; answers a bare array of full customers; no criterion → 400.
//! - Invoice `Number`: the caller's, if unique (duplicate → 400 `DuplicateInvoiceNumber`), else
//!   (omitted or 0) the highest existing number + 1, starting at 1. Negative → 400.
//! - An unknown `CustomerCode` → 400 `InvalidCustomerCode`.
//! - `IssuedDate` is required; `DueDate` defaults to `IssuedDate` + the customer's payment-term
//!   days (from month end for `AfterMonthEnd`); a `DueDate` before `IssuedDate` → 400.
//! - An invoice needs at least one line. `Quantity` ≠ 0 with ≤ 4 dp, `Rate` ≤ 4 dp; `VATLevel` must
//!   be one of the account's VAT rates (a `VATExempt` line must have 0); `NominalCode` must exist;
//!   a `ProductCode`, when given, must exist under that `NominalCode` (its name fills
//!   `ProductName`).
//! - Line VAT = round2(Quantity × Rate × VATLevel / 100), half away from zero. A sent `VATAmount`
//!   more than 0.01 away from that → 400 `InvalidVATAmount`; within 0.01 it is kept as sent (so a
//!   client can settle a rounding penny); more than 2 dp → 400.
//! - `NetAmount` = Σ round2(Quantity × Rate) (rounded per line); `GrossAmount` = Net + VAT;
//!   `HomeCurrencyGrossAmount` = round2(Gross / ExchangeRate) (rate = foreign units per GBP).
//! - `Currency.Code` must be set up on the account; an omitted or 0 `ExchangeRate` takes the
//!   account's rate; the home currency's rate must be 1.
//! - `Status` is `"Paid"` when `DueAmount` ≤ 0, else `"Outstanding"` (only "Paid" is documented;
//!   there is no part-paid or overdue status — see `OverdueDays`). `PaidDate` = latest payment
//!   date once paid.
//! - Payment lines: `Amount` > 0 in pence, `Date` required, `Method` must be an invoice payment
//!   method id, `AccountId` a bank account id; payments may not exceed `GrossAmount` (no
//!   over-payments) → 400.
//! - Invoice `PUT` is a full replacement: lines and payment lines are replaced; an existing payment
//!   survives only if sent back with its `Id`; an unknown payment `Id` → 400; a body `Number` must
//!   match the URL.
//! - Stock: a line naming a stock-managed product lowers `QuantityInStock` once, on create; `PUT`
//!   adjusts by the difference; `DELETE` gives it back. Going below zero → 400
//!   `InsufficientStock` unless `allow_negative_stock`.
//! - `DELETE /invoices/{number}` is refused while the invoice has payments.
//! - Bulk payments are all-or-nothing; each item adds a payment line (`BulkId` =
//!   `BulkPaymentNumber` = the bulk payment's `Number`); an item above the amount due → 400.
//! - Paged lists: `page` from 1, `perpage` default 20, max 250 (outside → 400); `MetaData` URLs
//!   are absolute; `sortby` takes the documented names (unknown → 400); `filterby` is ignored.
//!   Invoice list rows have `LineItems`/`PaymentLines` null; customer list rows are full customers.
//! - Paged (`{Data, MetaData}`): `/customers`, `/invoices`, `/products`, `/nominals`. Bare arrays:
//!   `/currencies`, `/vat/settings/vatrates`, `/bankaccounts`, `/paymentmethods/{type}`,
//!   `/nominals/{code}/products`, `/customers/search`.
//! - `GET /paymentmethods/invoice` answers `[{"Id": 1, "Name": "Cash"}, ...]` (shape is ours);
//!   `purchase` answers the same list; other types → 400.
//! - Validation `Error` codes are the sandbox's own names (`InvalidCustomerCode`,
//!   `DuplicateInvoiceNumber`, ...; KashFlow's are unknown); 404s use `NotFound`.
//! - Creates answer 201 with the object and a `Location`; deletes answer 204.
//! - Product `PUT` is a full replacement of the editable fields (this is how stock is set by
//!   hand); product codes are unique across nominals.
//! - Dates are written in UK local time without offset; every number with 4 dp.
//! - Injected 500s answer `{"Message":"An error has occurred.","Error":"InternalServerError"}`;
//!   injected 429s answer `TooManyRequests` with `Retry-After` (KashFlow documents no 429).

pub mod auth;
pub mod faults;
mod handle;
pub mod reply;
mod rest_api;
pub mod routes;
pub mod seed;
mod serve;
pub mod server;
mod soap_api;
pub mod state;

pub use auth::AuthSettings;
pub use faults::{FaultKind, FaultRule, RandomFaults};
pub use server::{RequestRecord, SandboxConfig, SandboxError, SandboxHandle, SandboxServer};
pub use state::Account;
