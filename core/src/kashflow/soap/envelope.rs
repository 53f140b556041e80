//! SOAP 1.1 envelopes for KashFlow's ASMX service, written and read with quick-xml (client and
//! sandbox alike). Every value goes through the writer's escaping: no XML is built by pasting
//! strings. Reading builds a small tree of elements by *local* name (prefixes and namespaces are
//! not compared beyond the envelope), which tolerates `soap:`/`s:`/no prefix and 0, 1 or n list
//! children.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

/// KashFlow's target namespace (a bare string, not a URI).
pub const NS: &str = "KashFlow";
pub const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema";
/// The service's path under the host (`https://securedwebapp.com/api/service.asmx`).
pub const SERVICE_PATH: &str = "/api/service.asmx";

/// `"KashFlow/<Op>"`, quoted as SOAP 1.1 sends it.
pub fn soap_action(op: &str) -> String {
    format!("\"{NS}/{op}\"")
}

/// One element: local name, attributes (local names), text, children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of child `name` (None when absent or `xsi:nil`).
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .filter(|c| !c.is_nil())
            .map(|c| c.text.trim())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_nil(&self) -> bool {
        self.attr("nil").is_some_and(|v| v.trim() == "true")
    }

    /// The first child, whatever its name (the operation element inside `Body`).
    pub fn first(&self) -> Option<&Node> {
        self.children.first()
    }
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    match s.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => s.into_owned(),
    }
}

/// Parse a document into its root element.
pub fn parse(xml: &[u8]) -> Result<Node, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut stack: Vec<Node> = Vec::new();
    let open = |e: &BytesStart<'_>| -> Result<Node, String> {
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|e| format!("attribute: {e}"))?;
            let v = a
                .unescape_value()
                .map_err(|e| format!("attribute value: {e}"))?;
            attrs.push((local(a.key.as_ref()), v.into_owned()));
        }
        Ok(Node {
            name: local(e.name().as_ref()),
            attrs,
            ..Node::default()
        })
    };
    loop {
        match reader.read_event_into(&mut buf) {
            Err(e) => {
                return Err(format!(
                    "not well-formed XML at byte {}: {e}",
                    reader.buffer_position()
                ))
            }
            Ok(Event::Start(e)) => stack.push(open(&e)?),
            Ok(Event::Empty(e)) => {
                let n = open(&e)?;
                match stack.last_mut() {
                    Some(p) => p.children.push(n),
                    None => return Ok(n),
                }
            }
            Ok(Event::End(_)) => {
                let n = stack.pop().ok_or("an end tag without a start")?;
                match stack.last_mut() {
                    Some(p) => p.children.push(n),
                    None => return Ok(n),
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(n) = stack.last_mut() {
                    let t = t.unescape().map_err(|e| format!("text: {e}"))?;
                    n.text.push_str(&t);
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&String::from_utf8_lossy(&t.into_inner()));
                }
            }
            Ok(Event::Eof) => {
                return Err("the document ended before its root element closed".into())
            }
            Ok(_) => {}
        }
        buf.clear();
    }
}

/// The element inside `Envelope/Body` (the operation, its response, or a `Fault`).
pub fn body_element(root: &Node) -> Result<&Node, String> {
    if root.name != "Envelope" {
        return Err(format!(
            "the root element is <{}>, not a SOAP Envelope",
            root.name
        ));
    }
    root.child("Body")
        .ok_or_else(|| "the envelope has no Body".to_string())?
        .first()
        .ok_or_else(|| "the Body is empty".to_string())
}

/// An XML writer for envelopes. Text is always escaped by quick-xml.
pub struct XmlOut {
    w: Writer<Vec<u8>>,
}

impl XmlOut {
    fn new() -> Self {
        let mut w = Writer::new(Vec::new());
        // Writing to a Vec cannot fail.
        let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
        XmlOut { w }
    }

    /// A writer whose output is thrown away (to check that a document can be written).
    pub fn scratch() -> Self {
        XmlOut::new()
    }

    pub fn start(&mut self, name: &str) -> &mut Self {
        let _ = self.w.write_event(Event::Start(BytesStart::new(name)));
        self
    }

    pub fn start_attrs(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        let e = BytesStart::new(name).with_attributes(attrs.iter().copied());
        let _ = self.w.write_event(Event::Start(e));
        self
    }

    pub fn end(&mut self, name: &str) -> &mut Self {
        let _ = self.w.write_event(Event::End(BytesEnd::new(name)));
        self
    }

    /// `<name>text</name>` (text escaped), or `<name />` when empty.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        if text.is_empty() {
            let _ = self.w.write_event(Event::Empty(BytesStart::new(name)));
        } else {
            let _ = self.w.write_event(Event::Start(BytesStart::new(name)));
            let _ = self.w.write_event(Event::Text(BytesText::new(text)));
            let _ = self.w.write_event(Event::End(BytesEnd::new(name)));
        }
        self
    }

    /// Text inside the current element (escaped); nothing when empty.
    pub fn text(&mut self, text: &str) -> &mut Self {
        if !text.is_empty() {
            let _ = self.w.write_event(Event::Text(BytesText::new(text)));
        }
        self
    }

    /// A leaf for any displayable value (numbers, decimals).
    pub fn val(&mut self, name: &str, v: impl std::fmt::Display) -> &mut Self {
        self.leaf(name, &v.to_string())
    }

    /// An optional text: omitted when `None`.
    pub fn opt(&mut self, name: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.leaf(name, v);
        }
        self
    }

    /// `<name xsi:nil="true" />`
    pub fn nil(&mut self, name: &str) -> &mut Self {
        let e = BytesStart::new(name).with_attributes([("xsi:nil", "true")]);
        let _ = self.w.write_event(Event::Empty(e));
        self
    }

    fn into_bytes(self) -> Vec<u8> {
        self.w.into_inner()
    }
}

fn envelope(body: impl FnOnce(&mut XmlOut)) -> Vec<u8> {
    let mut x = XmlOut::new();
    x.start_attrs(
        "soap:Envelope",
        &[
            ("xmlns:soap", SOAP_ENV),
            ("xmlns:xsi", XSI),
            ("xmlns:xsd", XSD),
        ],
    );
    x.start("soap:Body");
    body(&mut x);
    x.end("soap:Body").end("soap:Envelope");
    x.into_bytes()
}

/// A request: `<Op xmlns="KashFlow"><UserName/><Password/>…</Op>`. The password is written
/// into the body and nowhere else (the caller holds it in a `Secret`).
pub fn request(op: &str, user: &str, password: &str, args: impl FnOnce(&mut XmlOut)) -> Vec<u8> {
    envelope(|x| {
        x.start_attrs(op, &[("xmlns", NS)]);
        x.leaf("UserName", user).leaf("Password", password);
        args(x);
        x.end(op);
    })
}

/// A response: `<OpResponse xmlns="KashFlow"><OpResult>…</OpResult><Status/><StatusDetail/>`.
/// `result` writes the result element's content (None: the operation returns nothing).
pub fn response(op: &str, result: Option<&dyn Fn(&mut XmlOut)>, ok: bool, detail: &str) -> Vec<u8> {
    envelope(|x| {
        let resp = format!("{op}Response");
        x.start_attrs(&resp, &[("xmlns", NS)]);
        if let Some(r) = result {
            let name = format!("{op}Result");
            x.start(&name);
            r(x);
            x.end(&name);
        }
        x.leaf("Status", if ok { "OK" } else { "NO" });
        x.leaf("StatusDetail", detail);
        x.end(&resp);
    })
}

/// A `soap:Fault` (HTTP 500): `faultcode` and `faultstring`.
pub fn fault(code: &str, message: &str) -> Vec<u8> {
    envelope(|x| {
        x.start("soap:Fault");
        x.leaf("faultcode", code).leaf("faultstring", message);
        x.end("soap:Fault");
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_read_back() {
        let evil = "Tom & Jerry <b>\"x\"</b> ]]> é";
        let body = request("GetCustomer", "shop", "p<&>w", |x| {
            x.leaf("CustomerCode", evil);
        });
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(!text.contains("<b>"), "{text}");
        assert!(text.contains("&amp;"), "{text}");
        let root = parse(&body).unwrap();
        let op = body_element(&root).unwrap();
        assert_eq!(op.name, "GetCustomer");
        assert_eq!(op.attr("xmlns"), Some(NS));
        assert_eq!(op.text_of("CustomerCode"), Some(evil.trim()));
        assert_eq!(op.text_of("Password"), Some("p<&>w"));
    }

    #[test]
    fn responses_and_faults_parse_with_any_prefix() {
        let r = response(
            "InsertInvoice",
            Some(&|x: &mut XmlOut| {
                x.val("n", 7);
            }),
            false,
            "Nope & no",
        );
        let root = parse(&r).unwrap();
        let b = body_element(&root).unwrap();
        assert_eq!(b.name, "InsertInvoiceResponse");
        assert_eq!(b.text_of("Status"), Some("NO"));
        assert_eq!(b.text_of("StatusDetail"), Some("Nope & no"));
        let other = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>bad</faultstring></s:Fault></s:Body></s:Envelope>"#;
        let root = parse(other).unwrap();
        let f = body_element(&root).unwrap();
        assert_eq!(
            (f.name.as_str(), f.text_of("faultstring")),
            ("Fault", Some("bad"))
        );
        assert!(parse(b"<a><b></a>").is_err());
        assert!(body_element(&parse(b"<x/>").unwrap()).is_err());
    }

    #[test]
    fn nil_elements_read_as_absent() {
        let r = br#"<Envelope><Body><R><CIS xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/><A>1</A></R></Body></Envelope>"#;
        let root = parse(r).unwrap();
        let b = body_element(&root).unwrap();
        assert_eq!(b.text_of("CIS"), None);
        assert_eq!(b.text_of("A"), Some("1"));
    }
}
