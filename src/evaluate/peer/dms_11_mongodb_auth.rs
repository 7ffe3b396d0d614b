//! DMS.11: MongoDB endpoints use an authentication mechanism (MongoDbSettings.AuthType
//! not `no`). DocumentDB endpoints have no AuthType (every connection authenticates
//! as a user): they pass when the endpoint names the user or its secret.

use super::{Context, Control, Kind, PeerStatus, Resource, setting, show};

pub const CONTROL: Control = Control {
    id: "DMS.11",
    title: "MongoDB endpoints use an authentication mechanism",
    listing: "dms:DescribeEndpoints",
    kind: Kind::Endpoint,
    tags: false,
    check,
};

fn check(_: &Context<'_, '_>, resource: Resource<'_>) -> Option<(PeerStatus, String)> {
    let Resource::Endpoint(e) = resource else {
        return None;
    };
    match e.engine.as_str() {
        "mongodb" => {
            let auth = setting(e, "MongoDbSettings", "AuthType")
                .and_then(|v| v.as_str().map(str::to_string));
            let status = match auth.as_deref() {
                Some("no") => PeerStatus::Failed,
                Some(_) => PeerStatus::Passed,
                None => PeerStatus::Unknown,
            };
            Some((status, format!("MongoDbSettings.AuthType {}", show(&auth))))
        }
        "docdb" | "documentdb" => {
            let user = ["Username", "SecretsManagerSecretId"].iter().find_map(|k| {
                setting(e, "DocDbSettings", k)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("DocDbSettings.{k} {v}"))
            });
            let status = if user.is_some() {
                PeerStatus::Passed
            } else {
                PeerStatus::Unknown
            };
            Some((
                status,
                user.unwrap_or_else(|| "DocDbSettings names no user or secret".to_string()),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::rules::testkit::endpoint;
    use crate::facts::HostKind;

    #[test]
    fn mongodb_by_auth_type_documentdb_by_its_user() {
        for (engine, group, settings, want) in [
            (
                "mongodb",
                "MongoDbSettings",
                serde_json::json!({"AuthType": "password"}),
                Some(PeerStatus::Passed),
            ),
            (
                "mongodb",
                "MongoDbSettings",
                serde_json::json!({"AuthType": "no"}),
                Some(PeerStatus::Failed),
            ),
            (
                "mongodb",
                "MongoDbSettings",
                serde_json::json!({}),
                Some(PeerStatus::Unknown),
            ),
            (
                "docdb",
                "DocDbSettings",
                serde_json::json!({"Username": "app"}),
                Some(PeerStatus::Passed),
            ),
            (
                "docdb",
                "DocDbSettings",
                serde_json::json!({"Username": ""}),
                Some(PeerStatus::Unknown),
            ),
            (
                "postgres",
                "PostgreSQLSettings",
                serde_json::json!({}),
                None,
            ),
        ] {
            let mut e = endpoint("e", "source", engine, HostKind::AwsManaged, None);
            e.settings.insert(group.into(), settings.clone());
            let got = super::super::testkit::check(&CONTROL, Resource::Endpoint(&e));
            assert_eq!(got.map(|(s, _)| s), want, "{engine} {settings}");
        }
    }
}
