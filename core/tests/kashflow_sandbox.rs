//! The sandbox speaks KashFlow over raw HTTP: the login flow exactly as documented, the token
//! rules, the refusals KashFlow makes, paging, wire formats and case-insensitive request keys.
//! These tests use plain reqwest and JSON, not the typed client, so they check the wire itself.

use std::time::Duration;

use kashflow_sync::kashflow::sandbox::{seed, SandboxConfig, SandboxHandle, SandboxServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn sandbox() -> SandboxHandle {
    SandboxServer::start(SandboxConfig {
        rng_seed: Some(5),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn send(
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut rb = http().request(method, url);
    if let Some(t) = token {
        rb = rb.header("Authorization", format!("KfToken {t}"));
    }
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, v, headers)
}

/// The characters KashFlow asked for, from the step-1 answer.
fn answer(step1: &Value, word: &str, upper: bool) -> Value {
    let chars: Vec<char> = word.chars().collect();
    let list: Vec<Value> = step1["MemorableWordList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let pos = p["Position"].as_u64().unwrap();
            let c = chars[pos as usize - 1];
            let c = if upper { c.to_ascii_uppercase() } else { c };
            json!({"Position": pos, "Value": c.to_string()})
        })
        .collect();
    json!({"TemporaryToken": step1["TemporaryToken"], "MemorableWordList": list})
}

async fn login(h: &SandboxHandle) -> String {
    let (s, step1, _) = send(
        reqwest::Method::POST,
        format!("{}/sessiontoken", h.base_url()),
        None,
        Some(json!({"UserName": seed::USERNAME, "Password": seed::PASSWORD})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{step1}");
    let (s, step2, _) = send(
        reqwest::Method::PUT,
        format!("{}/sessiontoken", h.base_url()),
        None,
        Some(answer(&step1, seed::MEMORABLE_WORD, false)),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{step2}");
    step2["SessionToken"].as_str().unwrap().to_owned()
}

async fn get(h: &SandboxHandle, path: &str, token: &str) -> (StatusCode, Value) {
    let (s, v, _) = send(
        reqwest::Method::GET,
        format!("{}{path}", h.base_url()),
        Some(token),
        None,
    )
    .await;
    (s, v)
}

async fn post(h: &SandboxHandle, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let (s, v, _) = send(
        reqwest::Method::POST,
        format!("{}{path}", h.base_url()),
        Some(token),
        Some(body),
    )
    .await;
    (s, v)
}

#[tokio::test]
async fn login_flow_is_kashflows_two_steps_with_any_key_case() {
    let h = sandbox().await;
    let (s, step1, _) = send(
        reqwest::Method::POST,
        format!("{}/sessiontoken", h.base_url()),
        None,
        Some(json!({"username": "sandbox", "password": "sandbox-password"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let positions: Vec<u64> = step1["MemorableWordList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Position"].as_u64().unwrap())
        .collect();
    assert_eq!(positions.len(), 3);
    let distinct: std::collections::BTreeSet<_> = positions.iter().collect();
    assert_eq!(distinct.len(), 3);
    assert!(positions.iter().all(|p| (1..=8).contains(p)));
    for key in [
        "HasTemporaryPassword",
        "IsAdmin",
        "PackageName",
        "PartnerBrandingOptOut",
        "PartnerId",
        "SubscriptionExpired",
        "TemporaryToken",
    ] {
        assert!(step1.get(key).is_some(), "step 1 answer has {key}: {step1}");
    }
    // Step 2 with upper-case characters and lower-case keys.
    let mut body = answer(&step1, seed::MEMORABLE_WORD, true);
    body = json!({"temporarytoken": body["TemporaryToken"], "memorablewordlist": body["MemorableWordList"]});
    let (s, step2, _) = send(
        reqwest::Method::PUT,
        format!("{}/sessiontoken", h.base_url()),
        None,
        Some(body),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{step2}");
    let token = step2["SessionToken"].as_str().unwrap().to_owned();
    assert_eq!(uuid::Uuid::parse_str(&token).unwrap().to_string().len(), 36);
    assert_eq!(step2["CompanyName"], "Sandbox Trading Ltd");

    let (s, list) = get(&h, "/customers", &token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["Data"], json!([]));
    assert_eq!(list["MetaData"]["TotalRecords"], 0);

    // Token rules: the scheme must be KfToken; missing or unknown tokens give KashFlow's 401 body.
    let expected =
        json!({"Error": "InvalidSessionToken", "Message": "Session token provided is invalid."});
    let r = http()
        .get(format!("{}/customers", h.base_url()))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.json::<Value>().await.unwrap(), expected);
    let r = http()
        .get(format!("{}/customers", h.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (s, body) = get(&h, "/customers", "6F9619FF-8B86-D011-B42D-00C04FC964FF").await;
    assert_eq!((s, body), (StatusCode::UNAUTHORIZED, expected));
}

#[tokio::test]
async fn refuses_bad_characters_reused_temporary_tokens_and_locks_after_five_failures() {
    let h = sandbox().await;
    let url = format!("{}/sessiontoken", h.base_url());
    let step1 = |pw: &'static str| {
        let url = url.clone();
        async move {
            send(
                reqwest::Method::POST,
                url,
                None,
                Some(json!({"UserName": "sandbox", "Password": pw})),
            )
            .await
        }
    };
    let (s, one, _) = step1(seed::PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e, _) = send(
        reqwest::Method::PUT,
        url.clone(),
        None,
        Some(answer(&one, "zzzzzzzz", false)),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["Error"], "InvalidCredentials");
    assert!(e["Message"].as_str().unwrap().contains("memorable word"));
    // The temporary token was used up by the failed attempt.
    let (s, e, _) = send(
        reqwest::Method::PUT,
        url.clone(),
        None,
        Some(answer(&one, seed::MEMORABLE_WORD, false)),
    )
    .await;
    assert_eq!(
        (s, e["Error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InvalidTemporaryToken"))
    );

    // Failure 2..4 with a wrong password; failure 5 locks.
    for _ in 0..3 {
        let (s, e, _) = step1("nope").await;
        assert_eq!(
            (s, e["Error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("InvalidCredentials"))
        );
    }
    let (s, e, _) = step1("nope").await;
    assert_eq!(
        (s, e["Error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("AccountLocked"))
    );
    let (s, e, _) = step1(seed::PASSWORD).await;
    assert_eq!(
        (s, e["Error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("AccountLocked"))
    );
    // Locked for 30 minutes.
    h.advance_clock(Duration::from_secs(31 * 60));
    let (s, _, _) = step1(seed::PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn sessions_slide_expire_after_an_idle_hour_and_log_out() {
    let h = sandbox().await;
    let token = login(&h).await;
    for _ in 0..3 {
        h.advance_clock(Duration::from_secs(59 * 60));
        assert_eq!(get(&h, "/currencies", &token).await.0, StatusCode::OK);
    }
    h.advance_clock(Duration::from_secs(61 * 60));
    assert_eq!(
        get(&h, "/currencies", &token).await.0,
        StatusCode::UNAUTHORIZED
    );

    let token = login(&h).await;
    let (s, _, _) = send(
        reqwest::Method::DELETE,
        format!("{}/sessiontoken", h.base_url()),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        get(&h, "/currencies", &token).await.0,
        StatusCode::UNAUTHORIZED
    );

    let a = login(&h).await;
    let b = login(&h).await;
    let (s, _, _) = send(
        reqwest::Method::DELETE,
        format!("{}/sessiontoken/{b}", h.base_url()),
        Some(&a),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(get(&h, "/currencies", &b).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&h, "/currencies", &a).await.0, StatusCode::OK);
}

fn invoice_body() -> Value {
    json!({
        "Number": 100045,
        "CustomerCode": "NOP000045",
        "IssuedDate": "2026-05-01 12:00:00",
        "CustomerReference": "NOP-45",
        "Currency": {"Code": "GBP"},
        "LineItems": [
            {"Number": 0, "Description": "Child Car Seat", "Quantity": 1, "Rate": 95.24,
             "VATLevel": 5, "VATAmount": 4.76, "NominalCode": 4000, "ProductCode": "CHILD-CAR-SEAT"},
            {"Number": 0, "Description": "Delivery", "Quantity": 1, "Rate": 4.99, "VATLevel": 0,
             "VATExempt": 0, "NominalCode": 4900}
        ],
        "PaymentLines": [{"Date": "2026-05-01 12:00:00", "Amount": 104.99, "Method": 4, "AccountId": 2}]
    })
}

#[tokio::test]
async fn creates_with_201_location_four_dp_numbers_and_kashflow_dates() {
    let h = sandbox().await;
    let token = login(&h).await;
    let (s, c) = post(
        &h,
        "/customers",
        &token,
        json!({"code": "NOP000045", "name": "Grace Hopper",
        "contacts": [{"email": "grace@example.com", "firstname": "Grace", "lastname": "Hopper"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["Contacts"][0]["Firstname"], "Grace");
    let r = http()
        .post(format!("{}/invoices", h.base_url()))
        .header("Authorization", format!("KfToken {token}"))
        .json(&invoice_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["location"], "/v2/invoices/100045");
    let text = r.text().await.unwrap();
    assert!(text.contains(r#""GrossAmount":104.9900"#), "{text}");
    assert!(text.contains(r#""VATLevel":5.0000"#), "{text}");
    assert!(
        text.contains(r#""IssuedDate":"2026-05-01 12:00:00""#),
        "{text}"
    );
    assert!(text.contains(r#""Status":"Paid""#), "{text}");
    assert!(
        text.contains(r#""PaidDate":"2026-05-01 12:00:00""#),
        "{text}"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["Number"], 100045, "{v}");
    assert_eq!(v["CustomerName"], "Grace Hopper");
}

#[tokio::test]
async fn refuses_what_kashflow_refuses_and_changes_nothing() {
    let h = sandbox().await;
    let token = login(&h).await;
    assert_eq!(
        post(
            &h,
            "/customers",
            &token,
            json!({"Code": "NOP000045", "Name": "Grace"})
        )
        .await
        .0,
        StatusCode::CREATED
    );
    let ok = invoice_body();
    assert_eq!(
        post(&h, "/invoices", &token, ok.clone()).await.0,
        StatusCode::CREATED
    );
    let stock = h.stock("CHILD-CAR-SEAT");

    let cases: Vec<(&str, Value, &str)> = vec![
        ("duplicate number", ok.clone(), "DuplicateInvoiceNumber"),
        (
            "unknown customer",
            {
                let mut b = ok.clone();
                b["Number"] = json!(1);
                b["CustomerCode"] = json!("NOBODY");
                b
            },
            "InvalidCustomerCode",
        ),
        (
            "VAT amount off by 2p",
            {
                let mut b = ok.clone();
                b["Number"] = json!(2);
                b["LineItems"][0]["VATAmount"] = json!(4.78);
                b
            },
            "InvalidVATAmount",
        ),
        (
            "unknown VAT rate",
            {
                let mut b = ok.clone();
                b["Number"] = json!(3);
                b["LineItems"][0]["VATLevel"] = json!(17.5);
                b
            },
            "InvalidVATLevel",
        ),
        (
            "unknown nominal",
            {
                let mut b = ok.clone();
                b["Number"] = json!(4);
                b["LineItems"][1]["NominalCode"] = json!(9999);
                b
            },
            "InvalidNominalCode",
        ),
        (
            "over-payment",
            {
                let mut b = ok.clone();
                b["Number"] = json!(5);
                b["PaymentLines"][0]["Amount"] = json!(105);
                b
            },
            "InvalidPaymentAmount",
        ),
        (
            "unknown payment method",
            {
                let mut b = ok.clone();
                b["Number"] = json!(6);
                b["PaymentLines"][0]["Method"] = json!(409844);
                b
            },
            "InvalidPaymentMethod",
        ),
        (
            "unknown bank account",
            {
                let mut b = ok.clone();
                b["Number"] = json!(7);
                b["PaymentLines"][0]["AccountId"] = json!(55166);
                b
            },
            "InvalidBankAccount",
        ),
        (
            "no lines",
            {
                let mut b = ok.clone();
                b["Number"] = json!(8);
                b["LineItems"] = json!([]);
                b
            },
            "InvalidLineItems",
        ),
        (
            "no date",
            {
                let mut b = ok.clone();
                b["Number"] = json!(9);
                b.as_object_mut().unwrap().remove("IssuedDate");
                b
            },
            "InvalidIssuedDate",
        ),
        (
            "unknown currency",
            {
                let mut b = ok.clone();
                b["Number"] = json!(10);
                b["Currency"] = json!({"Code": "JPY"});
                b
            },
            "InvalidCurrency",
        ),
        (
            "too little stock",
            {
                let mut b = ok.clone();
                b["Number"] = json!(11);
                b["LineItems"][0]["Quantity"] = json!(50);
                b["LineItems"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("VATAmount");
                b.as_object_mut().unwrap().remove("PaymentLines");
                b
            },
            "InsufficientStock",
        ),
        ("not JSON", json!("invoice please"), "InvalidRequest"),
    ];
    for (what, body, code) in cases {
        let (s, e) = post(&h, "/invoices", &token, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{what}: {e}");
        assert_eq!(e["Error"], code, "{what}: {e}");
        assert!(
            e["Message"].as_str().unwrap().len() > 10,
            "{what}: a message a person understands"
        );
    }
    assert_eq!(h.invoices().len(), 1, "nothing was created");
    assert_eq!(h.stock("CHILD-CAR-SEAT"), stock, "no stock moved");

    let (s, e) = post(
        &h,
        "/customers",
        &token,
        json!({"Code": "nop000045", "Name": "Other"}),
    )
    .await;
    assert_eq!(
        (s, e["Error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("DuplicateCustomerCode"))
    );
    let (s, e) = post(&h, "/customers", &token, json!({"Code": "X1"})).await;
    assert_eq!(
        (s, e["Error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InvalidCustomerName"))
    );
    let (s, c) = post(
        &h,
        "/customers",
        &token,
        json!({"Name": "Sheffield Hallam"}),
    )
    .await;
    assert_eq!(
        (s, c["Code"].as_str()),
        (StatusCode::CREATED, Some("SHE01"))
    );

    let (s, e) = get(&h, "/invoices/424242", &token).await;
    assert_eq!(
        (s, e["Error"].as_str()),
        (StatusCode::NOT_FOUND, Some("NotFound"))
    );
    let (s, e) = get(&h, "/customers/NOBODY", &token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (s, e) = get(&h, "/no/such/thing", &token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(e["Message"].as_str().unwrap().contains("/v2/no/such/thing"));
    let (s, _) = get(&h, "/invoices/abc", &token).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn lists_page_with_metadata_and_sort() {
    let h = sandbox().await;
    let token = login(&h).await;
    for i in 0..45 {
        let (s, _) = post(
            &h,
            "/customers",
            &token,
            json!({"Code": format!("C{i:03}"), "Name": format!("Customer {i}")}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (s, p2) = get(&h, "/customers?page=2&perpage=20", &token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p2["Data"].as_array().unwrap().len(), 20);
    assert_eq!(p2["Data"][0]["Code"], "C020");
    let meta = &p2["MetaData"];
    assert_eq!(meta["TotalRecords"], 45);
    let base = h.base_url();
    assert_eq!(
        meta["NextPageUrl"],
        format!("{base}/customers?page=3&perpage=20")
    );
    assert_eq!(
        meta["PreviousPageUrl"],
        format!("{base}/customers?page=1&perpage=20")
    );
    assert_eq!(
        meta["FirstPageUrl"],
        format!("{base}/customers?page=1&perpage=20")
    );
    assert_eq!(
        meta["LastPageUrl"],
        format!("{base}/customers?page=3&perpage=20")
    );
    // NextPageUrl can be followed as it is.
    let r = http()
        .get(meta["NextPageUrl"].as_str().unwrap())
        .header("Authorization", format!("KfToken {token}"))
        .send()
        .await
        .unwrap();
    let p3: Value = r.json().await.unwrap();
    assert_eq!(p3["Data"].as_array().unwrap().len(), 5);
    assert_eq!(p3["MetaData"]["NextPageUrl"], Value::Null);
    let (_, desc) = get(&h, "/customers?sortby=code&order=desc&perpage=1", &token).await;
    assert_eq!(desc["Data"][0]["Code"], "C044");
    assert_eq!(
        get(&h, "/customers?perpage=500", &token).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&h, "/customers?page=0", &token).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&h, "/customers?sortby=Shoe", &token).await.0,
        StatusCode::BAD_REQUEST
    );

    // Lookups are bare arrays.
    let vat = http()
        .get(format!("{base}/vat/settings/vatrates"))
        .header("Authorization", format!("KfToken {token}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        vat,
        r#"[{"VATId":1,"VATRate":20.0000,"VATText":"20%"},{"VATId":2,"VATRate":5.0000,"VATText":"5%"},{"VATId":3,"VATRate":0.0000,"VATText":"0%"}]"#
    );
    let (_, pm) = get(&h, "/paymentmethods/invoice", &token).await;
    assert_eq!(pm[4], json!({"Id": 5, "Name": "PayPal"}));
    let (s, found) = get(&h, "/customers/search?name=customer%2044", &token).await;
    assert_eq!((s, found.as_array().unwrap().len()), (StatusCode::OK, 1));
    assert_eq!(
        get(&h, "/customers/search", &token).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn every_call_is_counted_per_route() {
    let h = sandbox().await;
    let token = login(&h).await;
    get(&h, "/invoices/1", &token).await;
    get(&h, "/invoices/2", &token).await;
    get(&h, "/Currencies", &token).await;
    let counts = h.call_counts();
    assert_eq!(counts["GET /invoices/{number}"], 2);
    assert_eq!(counts["GET /currencies"], 1);
    assert_eq!(counts["POST /sessiontoken"], 1);
    assert_eq!(counts["PUT /sessiontoken"], 1);
    assert_eq!(h.total_calls(), 5);
}

#[tokio::test]
async fn shutdown_does_not_wait_for_a_client_that_never_finishes_its_request() {
    use tokio::io::AsyncWriteExt;
    let h = sandbox().await;
    // a keep-alive client that has been answered, and one stuck halfway through its headers
    let (status, _) = get(&h, "/vat/settings/vatrates", &login(&h).await).await;
    assert_eq!(status, StatusCode::OK);
    let mut stuck = tokio::net::TcpStream::connect(h.addr()).await.unwrap();
    stuck
        .write_all(b"GET /v2/currencies HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;

    let started = std::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(30), h.shutdown())
        .await
        .expect("shutdown returned");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    drop(stuck);
}
