//! Keeps secrets out of the evidence: passwords, keys and tokens in AWS responses,
//! endpoint settings and connection strings are replaced before anything is stored.

use serde_json::Value;

pub const REDACTED: &str = "[REDACTED]";

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

/// Redacts a response body; returns the body to store and where it was changed.
pub fn body(text: &str, media_type: &str) -> (String, Vec<String>) {
    if media_type.contains("json")
        && let Ok(mut value) = serde_json::from_str::<Value>(text)
    {
        let mut paths = Vec::new();
        json(&mut value, "$", &mut paths);
        if paths.is_empty() {
            return (text.to_string(), paths);
        }
        return (value.to_string(), paths);
    }
    if media_type.contains("xml") {
        return xml(text);
    }
    (text.to_string(), Vec::new())
}

/// Redacts secrets in a JSON value in place, recording JSON paths.
pub fn json(value: &mut Value, path: &str, paths: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let here = format!("{path}.{key}");
                if is_secret_key(key) && !item.is_null() && item.as_str() != Some(REDACTED) {
                    *item = Value::String(REDACTED.into());
                    paths.push(here);
                } else {
                    json(item, &here, paths);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                json(item, &format!("{path}[{i}]"), paths);
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
    if let Some(scheme_end) = out.find("://") {
        let rest = &out[scheme_end + 3..];
        if let Some(at) = rest.find('@')
            && let Some(colon) = rest[..at].find(':')
            && &rest[colon + 1..at] != REDACTED
        {
            out = format!(
                "{}{}:{}{}",
                &out[..scheme_end + 3],
                &rest[..colon],
                REDACTED,
                &rest[at..]
            );
            changed = true;
        }
    }
    changed.then_some(out)
}

/// Redacts the text of XML elements whose names are secrets.
fn xml(text: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find('>') else {
            out.push_str(after);
            return (out, paths);
        };
        let tag = &after[1..close];
        out.push_str(&after[..=close]);
        rest = &after[close + 1..];
        let name = tag.split_whitespace().next().unwrap_or_default();
        if !name.starts_with('/') && !tag.ends_with('/') && is_secret_key(name) {
            let end_tag = format!("</{name}>");
            if let Some(end) = rest.find(&end_tag) {
                out.push_str(REDACTED);
                paths.push(name.to_string());
                rest = &rest[end..];
            }
        }
    }
    out.push_str(rest);
    (out, paths)
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
        let (clean, paths) = super::body(body, "application/x-amz-json-1.1");
        assert!(!clean.contains("hunter2"), "{clean}");
        assert_eq!(
            paths,
            [
                "$.Endpoints[0].KafkaSettings.SaslPassword",
                "$.Endpoints[0].ExtraConnectionAttributes"
            ]
        );
        let (same, none) = super::body(r#"{"a": 1}"#, "application/json");
        assert_eq!((same.as_str(), none.len()), (r#"{"a": 1}"#, 0));
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
        let (clean, paths) = super::body(body, "text/xml");
        assert_eq!(
            clean,
            "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>[REDACTED]</SecretAccessKey>\
             <SessionToken>[REDACTED]</SessionToken></Credentials>"
        );
        assert_eq!(paths, ["SecretAccessKey", "SessionToken"]);
    }
}
