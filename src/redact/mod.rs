//! Keeps secrets out of the evidence: passwords, keys and tokens in AWS responses,
//! endpoint settings, connection strings and secret-named tags are replaced before
//! anything is stored or signed.
//!
//! What is secret comes from AWS's own service models: every member whose shape is
//! marked `"sensitive": true` (`sensitive.json`, generated from botocore by
//! `scripts/gen-sensitive` and checked against it in CI), plus secret-looking key names
//! in free-form places AWS does not model (connection strings, tags).

pub mod pseudonym;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::Value;

pub const REDACTED: &str = "[REDACTED]";

#[derive(serde::Deserialize)]
struct Sensitive {
    services: std::collections::BTreeMap<String, Vec<String>>,
}

/// The members a service's model marks sensitive (capture service names).
pub fn sensitive(service: &str) -> &'static BTreeSet<String> {
    static MAP: OnceLock<std::collections::BTreeMap<String, BTreeSet<String>>> = OnceLock::new();
    static EMPTY: BTreeSet<String> = BTreeSet::new();
    let map = MAP.get_or_init(|| {
        serde_json::from_str::<Sensitive>(include_str!("sensitive.json"))
            .map(|s| {
                s.services
                    .into_iter()
                    .map(|(k, v)| (k, v.into_iter().collect()))
                    .collect()
            })
            .unwrap_or_else(|e| {
                unreachable!("src/redact/sensitive.json is built in and tested: {e}")
            })
    });
    map.get(service).unwrap_or(&EMPTY)
}

/// A key whose value is a secret for `service`: modelled sensitive, or secret-named.
pub fn is_secret_for(service: &str, key: &str) -> bool {
    sensitive(service).contains(key) || is_secret_key(key)
}

/// Key names (lower-cased, compared by containment) whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "secretaccesskey",
    "sessiontoken",
    "privatekey",
    "authtoken",
    "clientsecret",
    "apikey",
    // Oracle TDE: `securityDbEncryption=` in ExtraConnectionAttributes (DMS User Guide,
    // "Supported encryption methods for using Oracle as a source").
    "securitydbencryption",
];

/// Keys that contain a secret word but only name or locate a secret.
const NOT_SECRET: &[&str] = &[
    "secretsmanager",
    "secretid",
    "arn",
    "keyid",
    "passwordlastused",
    "passwordreset",
];

pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    let k = k.replace(['_', '-'], "");
    k == "pwd"
        || (SECRET_KEYS.iter().any(|s| k.contains(s)) && !NOT_SECRET.iter().any(|s| k.contains(s)))
}

/// Redacts a response body of `service`; returns the body to store and where it changed.
pub fn body(service: &str, text: &str, media_type: &str) -> (String, Vec<String>) {
    if media_type.contains("json")
        && let Ok(mut value) = serde_json::from_str::<Value>(text)
    {
        let mut paths = Vec::new();
        json(service, &mut value, "$", &mut paths);
        if paths.is_empty() {
            return (text.to_string(), paths);
        }
        return (value.to_string(), paths);
    }
    if media_type.contains("xml") {
        return xml(service, text);
    }
    (text.to_string(), Vec::new())
}

/// A tag (`{"Key": "db-password", "Value": …}`) whose key names a secret.
fn secret_tag(map: &serde_json::Map<String, Value>) -> bool {
    ["Key", "key", "TagKey"].iter().any(|k| {
        map.get(*k)
            .and_then(Value::as_str)
            .is_some_and(is_secret_key)
    })
}

/// Redacts secrets of `service` in a JSON value in place, recording JSON paths.
pub fn json(service: &str, value: &mut Value, path: &str, paths: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let tag = secret_tag(map);
            for (key, item) in map.iter_mut() {
                let here = format!("{path}.{key}");
                let secret = is_secret_for(service, key)
                    || (tag && matches!(key.as_str(), "Value" | "value" | "TagValue"));
                if secret && !item.is_null() && item.as_str() != Some(REDACTED) {
                    *item = Value::String(REDACTED.into());
                    paths.push(here);
                } else {
                    json(service, item, &here, paths);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                json(service, item, &format!("{path}[{i}]"), paths);
            }
        }
        Value::String(s) => {
            if let Some(clean) = connection_string(s) {
                *s = clean;
                paths.push(path.to_string());
            }
        }
        _ => {}
    }
}

/// `password=…;` / `pwd=…` pairs and `scheme://user:secret@host` credentials in a string.
pub fn connection_string(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    for (i, part) in s.split(';').enumerate() {
        if i > 0 {
            out.push(';');
        }
        match part.split_once('=') {
            Some((key, value))
                if is_secret_key(key.trim()) && !value.is_empty() && value != REDACTED =>
            {
                out.push_str(key);
                out.push('=');
                out.push_str(REDACTED);
                changed = true;
            }
            _ => out.push_str(part),
        }
    }
    if let Some(clean) = url_password(&out) {
        out = clean;
        changed = true;
    }
    changed.then_some(out)
}

/// `scheme://user:password@host…` with the password replaced. The user-info ends at the
/// *last* `@` (RFC 3986 §3.2.1; WHATWG URL parses it so too), so a password holding `@`,
/// `:`, `/`, `;` or spaces is replaced whole; the user name ends at the first `:`.
fn url_password(s: &str) -> Option<String> {
    let scheme_end = s.find("://")?;
    let rest = &s[scheme_end + 3..];
    let at = rest.rfind('@')?;
    let colon = rest[..at].find(':')?;
    if &rest[colon + 1..at] == REDACTED {
        return None;
    }
    Some(format!(
        "{}{}:{}{}",
        &s[..scheme_end + 3],
        &rest[..colon],
        REDACTED,
        &rest[at..]
    ))
}

/// Redacts the text of XML elements whose names are secrets of `service` (quick-xml).
/// A body that is not well-formed XML cannot be searched for secrets: it is replaced
/// whole.
fn xml(service: &str, text: &str) -> (String, Vec<String>) {
    use quick_xml::events::{BytesText, Event};
    use quick_xml::{Reader, Writer};
    let unreadable = || (REDACTED.to_string(), vec!["$".to_string()]);
    let mut reader = Reader::from_str(text);
    let mut writer = Writer::new(Vec::with_capacity(text.len()));
    let mut paths = Vec::new();
    // While inside a secret element: the depth at which it opened.
    let mut secret: Option<usize> = None;
    let mut depth = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(e) => e,
            Err(_) => return unreadable(),
        };
        let write = match &event {
            Event::Start(start) => {
                depth += 1;
                let local = start.local_name();
                let name: &str = local.as_ref();
                let name = name.to_string();
                if secret.is_none() && is_secret_for(service, &name) {
                    secret = Some(depth);
                    paths.push(name);
                    if writer.write_event(event.borrow()).is_err()
                        || writer
                            .write_event(Event::Text(BytesText::new(REDACTED)))
                            .is_err()
                    {
                        return unreadable();
                    }
                    continue;
                }
                secret.is_none()
            }
            Event::End(_) => {
                let closes_secret = secret == Some(depth);
                depth = depth.saturating_sub(1);
                if closes_secret {
                    secret = None;
                    true
                } else {
                    secret.is_none()
                }
            }
            _ => secret.is_none(),
        };
        if write && writer.write_event(event).is_err() {
            return unreadable();
        }
    }
    if paths.is_empty() {
        return (text.to_string(), paths);
    }
    (
        String::from_utf8_lossy(&writer.into_inner()).into_owned(),
        paths,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_key_names() {
        for (key, secret) in [
            ("Password", true),
            ("SaslPassword", true),
            ("SslClientKeyPassword", true),
            ("SecretAccessKey", true),
            ("SessionToken", true),
            ("pwd", true),
            ("SecretsManagerSecretId", false),
            ("SecretsManagerAccessRoleArn", false),
            ("KmsKeyId", false),
            ("NextToken", false),
            ("Username", false),
            ("ServerName", false),
        ] {
            assert_eq!(is_secret_key(key), secret, "{key}");
        }
    }

    #[test]
    fn json_bodies_lose_secrets_and_say_where() {
        let body = r#"{"Endpoints":[{"EndpointIdentifier":"e","KafkaSettings":{"SaslPassword":"hunter2"},
            "ExtraConnectionAttributes":"useLogMinerReader=N;password=hunter2;x=1"}]}"#;
        let (clean, paths) = super::body("dms", body, "application/x-amz-json-1.1");
        assert!(!clean.contains("hunter2"), "{clean}");
        assert_eq!(
            paths,
            [
                "$.Endpoints[0].KafkaSettings.SaslPassword",
                "$.Endpoints[0].ExtraConnectionAttributes"
            ]
        );
        let (same, none) = super::body("dms", r#"{"a": 1}"#, "application/json");
        assert_eq!((same.as_str(), none.len()), (r#"{"a": 1}"#, 0));
    }

    #[test]
    fn model_sensitive_members_and_secret_tags_are_redacted() {
        // OracleSettings.SecurityDbEncryption is `"sensitive": true` in the DMS model.
        let body = r#"{"Endpoints":[{"OracleSettings":{"SecurityDbEncryption":"tde-pw","ServerName":"o"},
            "ExtraConnectionAttributes":"securityDbEncryption=tde-pw;useBfile=Y"}],
            "TagList":[{"Key":"db-password","Value":"p4ss","ResourceArn":"a"},{"Key":"owner","Value":"ana"}]}"#;
        let (clean, paths) = super::body("dms", body, "application/x-amz-json-1.1");
        assert!(
            !clean.contains("tde-pw") && !clean.contains("p4ss"),
            "{clean}"
        );
        assert!(
            clean.contains("ana") && clean.contains("useBfile=Y"),
            "{clean}"
        );
        assert_eq!(
            paths,
            [
                "$.Endpoints[0].OracleSettings.SecurityDbEncryption",
                "$.Endpoints[0].ExtraConnectionAttributes",
                "$.TagList[0].Value"
            ]
        );
        assert!(sensitive("dms").contains("AsmPassword"));
        assert!(sensitive("redshift").contains("MasterUserPassword"));
        assert!(sensitive("unknown-service").is_empty());
    }

    #[test]
    fn xml_sensitive_members_of_the_service() {
        let body = "<R><DBClusters><DBCluster><PendingModifiedValues><MasterUserPassword>pw<x/>\
                    </MasterUserPassword></PendingModifiedValues><Id>c</Id></DBCluster></DBClusters></R>";
        let (clean, paths) = super::body("rds", body, "text/xml");
        assert_eq!(
            clean,
            "<R><DBClusters><DBCluster><PendingModifiedValues><MasterUserPassword>[REDACTED]\
             </MasterUserPassword></PendingModifiedValues><Id>c</Id></DBCluster></DBClusters></R>"
        );
        assert_eq!(paths, ["MasterUserPassword"]);
    }

    #[test]
    fn xml_that_does_not_parse_is_not_stored() {
        let (clean, paths) = super::body("rds", "<a><MasterUserPassword>x</a>", "text/xml");
        assert_eq!((clean.as_str(), paths), (REDACTED, vec!["$".to_string()]));
    }

    #[test]
    fn connection_strings_and_urls() {
        for (input, expected) in [
            (
                "Server=x;Pwd=abc;Db=y",
                Some("Server=x;Pwd=[REDACTED];Db=y"),
            ),
            (
                "mongodb://admin:s3cret@host:27017/db",
                Some("mongodb://admin:[REDACTED]@host:27017/db"),
            ),
            ("https://example.com/path", None),
            ("plain text", None),
        ] {
            assert_eq!(connection_string(input).as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn xml_credentials_are_removed() {
        let body = "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>abc</SecretAccessKey>\
                    <SessionToken>tok</SessionToken></Credentials>";
        let (clean, paths) = super::body("sts", body, "text/xml");
        assert_eq!(
            clean,
            "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>[REDACTED]</SecretAccessKey>\
             <SessionToken>[REDACTED]</SessionToken></Credentials>"
        );
        assert_eq!(paths, ["SecretAccessKey", "SessionToken"]);
    }

    proptest::proptest! {
        /// No password in URL user-info survives, whatever characters it holds.
        #[test]
        fn no_url_password_survives(user in "[a-z]{1,8}", tail in "\\PC{0,24}", host in "[a-z]{1,8}") {
            let secret = format!("S3cr{tail}");
            let s = format!("postgresql://{user}:{secret}@{host}.example:5432/db");
            let out = connection_string(&s).unwrap_or_else(|| s.clone());
            proptest::prop_assert!(!out.contains(&secret), "{s} -> {out}");
            proptest::prop_assert!(out.ends_with(&format!("@{host}.example:5432/db")), "{out}");
        }

        /// The `url` crate (WHATWG URL parsing) finds no password in what we keep: where it
        /// parses the input with a password, it parses the output with none but ours.
        #[test]
        fn the_url_crate_finds_no_password_left(user in "[a-z]{1,8}", pw in "\\PC{1,24}", rest in "[a-z0-9/?=&:.]{0,16}") {
            let s = format!("mysql://{user}:{pw}@db.example:3306/{rest}");
            let Ok(parsed) = url::Url::parse(&s) else { return Ok(()) };
            let Some(password) = parsed.password().filter(|p| !p.is_empty()) else { return Ok(()) };
            let out = connection_string(&s).unwrap_or_else(|| s.clone());
            let kept = url::Url::parse(&out).ok();
            let left = kept.as_ref().and_then(url::Url::password).unwrap_or("");
            proptest::prop_assert!(left.is_empty() || left == "%5BREDACTED%5D", "{s} -> {out} (password {password})");
        }

        /// No `password=` value survives in a connection string (values without `;`,
        /// the separator), nor in the JSON that carries it.
        #[test]
        fn no_connection_string_password_survives(tail in "[^;]{0,24}", key in "(password|PWD|Password|sslPassword)") {
            let secret = format!("S3cr{tail}");
            let text = format!("useLogminerReader=N;{key}={secret};securityDbEncryptionName=x");
            let mut value = serde_json::json!({"ExtraConnectionAttributes": text});
            json("dms", &mut value, "$", &mut Vec::new());
            let out = value.to_string();
            proptest::prop_assert!(!out.contains(&secret), "{text} -> {out}");
        }
    }

    #[test]
    fn a_password_holding_at_signs_is_redacted_whole() {
        assert_eq!(
            connection_string("mysql://admin:p@ss@db.example/x").as_deref(),
            Some("mysql://admin:[REDACTED]@db.example/x")
        );
        assert_eq!(connection_string("https://db.example/x"), None);
    }
}
