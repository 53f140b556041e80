//! `Secret`: the one type for a string that must never be shown — the KashFlow password and
//! memorable word (in the engine's configuration and in the client), session and temporary tokens.
//! `Debug` and `Display` print [`Secret::REDACTED`] (an empty secret shows as empty, so "not set" is
//! still visible); the value is reachable only through [`Secret::expose`], which call sites use
//! exactly where the value goes on the wire.
//!
//! It serializes as the plain string (it has to be sent to KashFlow, and the host owns the
//! configuration document) and deserializes from one, so wire and configuration structs can hold
//! secrets without leaking them through `{:?}`; never log a serialised document.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// What every redacted secret reads as: in `Debug`, `Display` and redacted documents.
    pub const REDACTED: &'static str = "<redacted>";

    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value. Use only to put it on the wire or to compare it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            ""
        } else {
            Self::REDACTED
        })
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Option first so that a JSON null reads as an empty secret rather than an error.
        Ok(Secret(
            Option::<String>::deserialize(d)?.unwrap_or_default(),
        ))
    }
}

/// Redaction where a secret can be embedded: a request or answer body, a URL, a header value.
/// Nothing else is scrubbed: a log line is not searched for a secret's letters (with the memorable
/// word "kashflow", blanking every occurrence turned `App_Data/KashFlow/kashflow-sync.sqlite` into
/// a garbled path and told the reader the word). Secrets stay out of log lines by type instead.
pub mod redact {
    use super::*;

    /// JSON fields whose values are secrets wherever they appear in a KashFlow body
    /// (compared case-insensitively, as KashFlow reads field names).
    const SECRET_FIELDS: [&str; 4] = [
        "password",
        "temporarytoken",
        "sessiontoken",
        "memorableword",
    ];
    /// The login's memorable-word characters: inside this list, every `Value` is a secret.
    const SECRET_LISTS: [&str; 1] = ["memorablewordlist"];

    /// `body` with secrets redacted: in a JSON body the value of every secret field; then, in any
    /// body, the text of each non-empty secret in `secrets`.
    pub fn body(body: &[u8], secrets: &[&Secret]) -> String {
        let text = match serde_json::from_slice::<Value>(body) {
            Ok(mut v) if v.is_object() || v.is_array() => {
                redact_fields(&mut v, false);
                v.to_string()
            }
            _ => String::from_utf8_lossy(body).into_owned(),
        };
        text_of(&text, secrets).into_owned()
    }

    /// `url` with the password of its user-info and every secret's text redacted.
    pub fn url(url: &str, secrets: &[&Secret]) -> String {
        let mut out = Cow::Borrowed(url);
        if let Ok(mut u) = url::Url::parse(url) {
            if u.password().is_some() && u.set_password(Some(Secret::REDACTED)).is_ok() {
                out = Cow::Owned(u.to_string());
            }
        }
        text_of(&out, secrets).into_owned()
    }

    /// A header's value as it may be shown: the credentials of `Authorization` are redacted
    /// (the scheme stays), and every secret's text.
    pub fn header(name: &str, value: &str, secrets: &[&Secret]) -> String {
        if name.eq_ignore_ascii_case("authorization") {
            return match value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} {}", Secret::REDACTED),
                None => Secret::REDACTED.to_string(),
            };
        }
        text_of(value, secrets).into_owned()
    }

    fn text_of<'a>(text: &'a str, secrets: &[&Secret]) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            if out.contains(s.expose()) {
                out = Cow::Owned(out.replace(s.expose(), Secret::REDACTED));
            }
        }
        out
    }

    fn redact_fields(v: &mut Value, in_list: bool) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    let key = k.to_ascii_lowercase();
                    if SECRET_LISTS.contains(&key.as_str()) {
                        redact_fields(child, true);
                    } else if ((in_list && key == "value") || SECRET_FIELDS.contains(&key.as_str()))
                        && !child.is_object()
                        && !child.is_array()
                    {
                        if !child.is_null() {
                            *child = Value::String(Secret::REDACTED.into());
                        }
                    } else {
                        redact_fields(child, in_list);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| redact_fields(i, in_list)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(
            format!("{s:?} {s} {s:#?}"),
            "\"<redacted>\" <redacted> \"<redacted>\""
        );
        assert_eq!(format!("{:?}", Secret::default()), "\"\"");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
    }

    #[test]
    fn a_request_body_never_leaks_a_secret() {
        let pw = Secret::new("hunter2-pw");
        let word = Secret::new("kashflow");
        let login = br#"{"UserName":"shop","Password":"hunter2-pw"}"#;
        let shown = redact::body(login, &[&pw, &word]);
        assert!(!shown.contains("hunter2-pw"), "{shown}");
        assert!(shown.contains("shop") && shown.contains("<redacted>"));
        let chars = br#"{"TemporaryToken":"tt-1","MemorableWordList":[{"Position":1,"Value":"k"},{"Position":3,"Value":"s"}]}"#;
        let shown = redact::body(chars, &[]);
        assert!(
            !shown.contains("\"k\"") && !shown.contains("tt-1"),
            "{shown}"
        );
        assert!(shown.contains("\"Position\":3"), "{shown}");
        // not JSON: the secret's text is blanked inside the body
        let shown = redact::body(b"bad login for hunter2-pw", &[&pw]);
        assert_eq!(shown, "bad login for <redacted>");
        assert_eq!(
            redact::header("Authorization", "KfToken abc", &[]),
            "KfToken <redacted>"
        );
        assert!(!redact::url("http://u:hunter2-pw@h/v2", &[]).contains("hunter2-pw"));
    }

    #[test]
    fn a_path_containing_the_word_survives() {
        // Only bodies, URLs and headers are redacted, never a log line or a path: the path is
        // shown whole and does not tell the reader the word.
        let word = Secret::new("kashflow");
        let path = "App_Data/KashFlow/kashflow-sync.sqlite";
        let line = format!("journal {path} opened; memorable word {word}");
        assert_eq!(
            line,
            "journal App_Data/KashFlow/kashflow-sync.sqlite opened; memorable word <redacted>"
        );
        assert_eq!(redact::header("X-Journal", path, &[]), path);
    }
}
