//! The `kube-system/aws-auth` ConfigMap: `data.mapRoles`, `data.mapUsers` and
//! `data.mapAccounts` are YAML documents inside strings. Anything the EKS authenticator would
//! not read the same way is an error (the mapping is then `unknown`, never an empty list).

use kubeposture_checks::model::{AwsAuth, AwsAuthMapping};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

/// Longest `data` value parsed (the API server caps a ConfigMap at 1 MiB).
const MAX_LEN: usize = 1 << 20;

fn mappings(data: &BTreeMap<String, String>, key: &str, arn_key: &str) -> Result<Vec<AwsAuthMapping>, String> {
    let Some(text) = data.get(key).filter(|t| !t.trim().is_empty()) else { return Ok(vec![]) };
    if text.len() > MAX_LEN {
        return Err(format!("data.{key} is longer than 1 MiB"));
    }
    let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| format!("data.{key} is not YAML: {e}"))?;
    let items = match doc {
        Value::Null => return Ok(vec![]),
        Value::Sequence(items) => items,
        _ => return Err(format!("data.{key} is not a list")),
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("data.{key}[{i}]");
            let Value::Mapping(m) = item else { return Err(format!("{at} is not a mapping")) };
            let get = |k: &str| field(m, k, &at);
            let arn = match get(arn_key)? {
                Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
                Some(_) => return Err(format!("{at}.{arn_key} is not a string")),
                None => return Err(format!("{at} has no {arn_key}")),
            };
            let username = match get("username")? {
                Some(Value::String(s)) => Some(s.clone()),
                None | Some(Value::Null) => None,
                Some(_) => return Err(format!("{at}.username is not a string")),
            };
            let groups = match get("groups")? {
                None | Some(Value::Null) => vec![],
                Some(Value::Sequence(gs)) => gs
                    .iter()
                    .map(|g| match g {
                        Value::String(s) => Ok(s.clone()),
                        _ => Err(format!("{at}.groups holds a value that is not a string")),
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(format!("{at}.groups is not a list")),
            };
            Ok(AwsAuthMapping { arn, username, groups })
        })
        .collect()
}

/// A mapping's field as the authenticator finds it: Go's JSON decoding matches field names
/// without regard to case (`Groups`, `RoleARN`). Two spellings of one field are an error.
fn field<'a>(m: &'a serde_yaml_ng::Mapping, key: &str, at: &str) -> Result<Option<&'a Value>, String> {
    let mut found = m.iter().filter(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(key)));
    match (found.next(), found.next()) {
        (Some((_, v)), None) => Ok(Some(v)),
        (None, _) => Ok(None),
        (Some(_), Some(_)) => Err(format!("{at} spells {key} more than once (in different cases)")),
    }
}

/// Parses the ConfigMap's `data`.
pub fn parse(data: &BTreeMap<String, String>) -> Result<AwsAuth, String> {
    let map_accounts = match data.get("mapAccounts").filter(|t| !t.trim().is_empty()) {
        None => vec![],
        Some(text) => {
            match serde_yaml_ng::from_str::<Value>(text).map_err(|e| format!("data.mapAccounts is not YAML: {e}"))? {
                Value::Sequence(items) => items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => Ok(s.clone()),
                        Value::Number(n) => Ok(n.to_string()),
                        _ => Err("data.mapAccounts holds a value that is not an account id".to_string()),
                    })
                    .collect::<Result<_, _>>()?,
                Value::Null => vec![],
                _ => return Err("data.mapAccounts is not a list".into()),
            }
        }
    };
    Ok(AwsAuth {
        map_roles: mappings(data, "mapRoles", "rolearn")?,
        map_users: mappings(data, "mapUsers", "userarn")?,
        map_accounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_the_documented_shape() {
        // The example from the EKS user guide ("aws-auth ConfigMap").
        let d = data(&[
            (
                "mapRoles",
                "- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: arn:aws:iam::111122223333:role/my-node-role\n  username: system:node:{{EC2PrivateDNSName}}\n",
            ),
            (
                "mapUsers",
                "- userarn: arn:aws:iam::111122223333:user/admin\n  username: admin\n  groups:\n    - system:masters\n",
            ),
            ("mapAccounts", "- \"111122223333\"\n- 444455556666\n"),
        ]);
        let a = parse(&d).unwrap();
        assert_eq!(a.map_roles[0].groups, ["system:bootstrappers", "system:nodes"]);
        assert_eq!(a.map_users[0].arn, "arn:aws:iam::111122223333:user/admin");
        assert_eq!(a.map_accounts, ["111122223333", "444455556666"]);
        assert_eq!(parse(&data(&[])).unwrap(), AwsAuth::default());
    }

    /// The authenticator reads mapRoles with Go's JSON decoding, which matches field names
    /// without regard to case: `Groups: [system:masters]` maps to system:masters too.
    #[test]
    fn field_names_match_without_regard_to_case() {
        let d = data(&[(
            "mapRoles",
            "- RoleARN: arn:aws:iam::111122223333:role/ops\n  UserName: ops\n  Groups:\n    - system:masters\n",
        )]);
        let a = parse(&d).unwrap();
        assert_eq!(a.map_roles[0].arn, "arn:aws:iam::111122223333:role/ops");
        assert_eq!(a.map_roles[0].username.as_deref(), Some("ops"));
        assert_eq!(a.map_roles[0].groups, ["system:masters"]);
        // Two spellings of one field: which one the authenticator keeps is not ours to guess.
        let twice = "- rolearn: arn:aws:iam::1:role/x\n  groups: [a]\n  Groups: [system:masters]\n";
        assert!(parse(&data(&[("mapRoles", twice)])).is_err());
    }

    #[test]
    fn anything_else_is_an_error() {
        for bad in [
            "- rolearn: [a]\n",
            "rolearn: x\n",
            "- groups: [system:masters]\n",
            "- rolearn: arn:aws:iam::1:role/x\n  groups: system:masters\n",
            "- rolearn: arn:aws:iam::1:role/x\n  groups: [1]\n",
            "- rolearn: \"unterminated\n",
        ] {
            assert!(parse(&data(&[("mapRoles", bad)])).is_err(), "{bad}");
        }
    }
}
