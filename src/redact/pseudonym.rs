//! `--redact`: evidence that leaves the partner without the customer's names. Host
//! names, IP addresses, CIDRs, database and user names and tag values are replaced,
//! in the facts and in the raw captures, by a salted HMAC-SHA256 token. The same value
//! always gives the same token (so relations such as "this endpoint is that database"
//! survive), and only the holder of the salt can check a guess. URL schemes and ports
//! are kept, so what the evaluation needs (https, a public address) is unchanged.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::digest::sha256_hex;
use crate::evidence::Evidence;

/// Keys (facts and AWS responses) whose string values name hosts, addresses,
/// databases or users.
const KEYS: &[&str] = &[
    // facts
    "server_name",
    "database",
    "address",
    "addresses",
    "private_ips",
    "public_ips",
    "dns_names",
    "cidrs",
    "endpoint",
    "reader_endpoint",
    // AWS responses (DMS, RDS, EC2, Redshift, OpenSearch) and endpoint settings
    "ServerName",
    "DatabaseName",
    "Username",
    "MasterUsername",
    "DBName",
    "Address",
    "Endpoint",
    "ReaderEndpoint",
    "PrivateIpAddress",
    "PublicIpAddress",
    "PrivateDnsName",
    "PublicDnsName",
    "ReplicationInstancePrivateIpAddress",
    "ReplicationInstancePublicIpAddress",
    "ReplicationInstancePrivateIpAddresses",
    "ReplicationInstancePublicIpAddresses",
    "CidrBlock",
    "Broker",
    "EndpointUri",
    "address",
    "dbName",
    "adminUsername",
];

/// A salted pseudonymiser; the salt is zeroised when dropped.
pub struct Pseudonymizer {
    salt: Zeroizing<Vec<u8>>,
    seen: BTreeMap<String, String>,
}

impl Pseudonymizer {
    pub fn new(salt: &[u8]) -> Pseudonymizer {
        Pseudonymizer {
            salt: Zeroizing::new(salt.to_vec()),
            seen: BTreeMap::new(),
        }
    }

    /// The token for one value: `redacted-<16 hex>`.
    pub fn token(&mut self, value: &str) -> String {
        if value.is_empty() || value.starts_with("redacted-") {
            return value.to_string();
        }
        if let Some(t) = self.seen.get(value) {
            return t.clone();
        }
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.salt)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(value.as_bytes());
        let token = format!(
            "redacted-{}",
            crate::text::prefix(&hex::encode(mac.finalize().into_bytes()), 16)
        );
        self.seen.insert(value.to_string(), token.clone());
        token
    }

    /// A URI or broker list with its hosts replaced, schemes and ports kept.
    fn hosts(&mut self, value: &str) -> String {
        value
            .split(',')
            .map(|part| {
                let (scheme, rest) = part.split_once("://").map_or(("", part), |(s, r)| (s, r));
                let (hostport, path) = rest
                    .split_once('/')
                    .map_or((rest, None), |(h, p)| (h, Some(p)));
                let (host, port) = hostport
                    .rsplit_once(':')
                    .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
                    .map_or((hostport, None), |(h, p)| (h, Some(p)));
                let mut out = String::new();
                if !scheme.is_empty() {
                    out.push_str(scheme);
                    out.push_str("://");
                }
                out.push_str(&self.token(host.trim()));
                if let Some(p) = port {
                    out.push(':');
                    out.push_str(p);
                }
                if let Some(p) = path {
                    out.push('/');
                    out.push_str(p);
                }
                out
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    fn value(&mut self, key: &str, v: &mut Value) {
        match v {
            Value::String(s) if matches!(key, "Broker" | "EndpointUri") => *s = self.hosts(s),
            Value::String(s) => *s = self.token(s),
            Value::Array(items) => {
                for item in items {
                    self.value(key, item);
                }
            }
            _ => {}
        }
    }

    /// Replaces names in a JSON value in place; returns how many were replaced.
    pub fn json(&mut self, v: &mut Value) -> usize {
        let before = self.seen.len();
        self.walk(v);
        self.seen.len() - before
    }

    fn walk(&mut self, v: &mut Value) {
        match v {
            Value::Object(map) => {
                let tag = map.contains_key("Key") && map.contains_key("Value");
                for (k, item) in map.iter_mut() {
                    if KEYS.contains(&k.as_str()) || (tag && k == "Value") || k == "tags" {
                        if k == "tags" {
                            if let Value::Object(tags) = item {
                                for t in tags.values_mut() {
                                    self.value(k, t);
                                }
                            }
                        } else if item.is_string() || item.is_array() {
                            self.value(k, item);
                        } else {
                            self.walk(item);
                        }
                    } else {
                        self.walk(item);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item);
                }
            }
            _ => {}
        }
    }

    /// Every original value seen so far, replaced by its token, in free text (the
    /// `basis` sentences that quote an address).
    fn text(&self, s: &mut String) {
        for (original, token) in self.seen.iter().rev() {
            if original.len() > 3 && s.contains(original.as_str()) {
                *s = s.replace(original.as_str(), token);
            }
        }
    }

    fn text_walk(&self, v: &mut Value) {
        match v {
            Value::String(s) => self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|i| self.text_walk(i)),
            Value::Object(map) => map.values_mut().for_each(|i| self.text_walk(i)),
            _ => {}
        }
    }

    /// Redacts the facts and the captures of a collected document (before it is
    /// evaluated and signed). Capture digests are recomputed; each capture records
    /// `received_sha256` and where it changed.
    pub fn evidence(&mut self, ev: &mut Evidence) -> Result<(), serde_json::Error> {
        let mut facts = serde_json::to_value(&ev.facts)?;
        self.json(&mut facts);
        let mut bodies: Vec<Option<String>> =
            ev.captures.iter().map(|c| self.capture_body(c)).collect();
        // Names also appear in free text (host bases, policy documents): every name
        // seen anywhere is replaced everywhere.
        self.text_walk(&mut facts);
        for (c, body) in ev.captures.iter_mut().zip(bodies.iter_mut()) {
            if c.body_encoding != "utf8" {
                continue;
            }
            let mut text = body.take().unwrap_or_else(|| c.body.to_string());
            self.text(&mut text);
            if c.body != text {
                let original = std::mem::replace(&mut c.sha256, sha256_hex(text.as_bytes()));
                c.body = text.into();
                if c.received_sha256.is_none() {
                    c.received_sha256 = Some(original);
                }
                c.redacted.push("names (--redact)".into());
            }
        }
        ev.facts = serde_json::from_value(facts)?;
        Ok(())
    }

    /// A capture's body with its named fields replaced (`None`: nothing named).
    fn capture_body(&mut self, c: &crate::evidence::Capture) -> Option<String> {
        if c.body_encoding != "utf8" {
            return None;
        }
        if let Ok(mut v) = serde_json::from_str::<Value>(c.body.as_str()) {
            let before = v.clone();
            self.walk(&mut v);
            (v != before).then(|| v.to_string())
        } else {
            self.xml(&c.body)
        }
    }

    /// XML bodies: the text of elements named like [`KEYS`].
    fn xml(&mut self, text: &str) -> Option<String> {
        use quick_xml::events::{BytesText, Event};
        use quick_xml::{Reader, Writer};
        let mut reader = Reader::from_str(text);
        let mut writer = Writer::new(Vec::with_capacity(text.len()));
        let mut inside: Option<String> = None;
        let mut changed = false;
        loop {
            let event = reader.read_event().ok()?;
            match &event {
                Event::Eof => break,
                Event::Start(s) => {
                    let local = s.local_name();
                    let name: &str = local.as_ref();
                    inside = KEYS.contains(&name).then(|| name.to_string());
                }
                Event::Text(t) if inside.is_some() => {
                    let original = t.xml10_content().into_owned();
                    let key = inside.clone().unwrap_or_default();
                    let mut v = Value::String(original);
                    self.value(&key, &mut v);
                    let replaced = v.as_str().unwrap_or_default().to_string();
                    writer
                        .write_event(Event::Text(BytesText::new(&replaced)))
                        .ok()?;
                    changed = true;
                    continue;
                }
                Event::End(_) => inside = None,
                _ => {}
            }
            writer.write_event(event).ok()?;
        }
        changed.then(|| String::from_utf8_lossy(&writer.into_inner()).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_salted_and_keep_schemes() {
        let mut a = Pseudonymizer::new(b"salt-one");
        let mut b = Pseudonymizer::new(b"salt-two");
        let t = a.token("db.corp.example");
        assert!(t.starts_with("redacted-") && t.len() == 25, "{t}");
        assert_eq!(a.token("db.corp.example"), t, "stable");
        assert_ne!(b.token("db.corp.example"), t, "salted");
        let uri = a.hosts("https://search-x.es.amazonaws.com:443/path");
        assert!(
            uri.starts_with("https://redacted-") && uri.ends_with(":443/path"),
            "{uri}"
        );
        let brokers = a.hosts("b-1.kafka:9092,b-2.kafka:9092");
        assert_eq!(brokers.matches(":9092").count(), 2, "{brokers}");
    }

    #[test]
    fn json_and_xml_lose_names_but_keep_the_rest() {
        let mut p = Pseudonymizer::new(b"s");
        let mut v = serde_json::json!({"Endpoints": [{"ServerName": "db.corp", "Port": 5432,
            "PostgreSQLSettings": {"ServerName": "db.corp", "MaxFileSize": 1}}],
            "TagList": [{"Key": "owner", "Value": "ana"}]});
        p.json(&mut v);
        let text = v.to_string();
        assert!(!text.contains("db.corp") && !text.contains("ana"), "{text}");
        assert!(text.contains("5432") && text.contains("MaxFileSize"));
        let xml = "<R><Endpoint><Address>orders.abc.rds.amazonaws.com</Address><Port>5432</Port></Endpoint></R>";
        let out = p.xml(xml).expect("changed");
        assert!(
            !out.contains("orders.abc") && out.contains("<Port>5432</Port>"),
            "{out}"
        );
    }
}
