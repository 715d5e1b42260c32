//! Timestamps as each AWS protocol puts them on the wire. The estate may write them as
//! ISO-8601 / RFC 3339 strings (`2024-03-14T11:31:44.348000-04:00`, as the AWS CLI prints
//! them), dates (`2026-11-01`) or epoch seconds; at load they are rewritten to the wire form:
//! EKS (restJson1) epoch seconds as a JSON number, IAM/STS/EC2 (XML) UTC `…Z` strings.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Members of EKS shapes that are timestamps (botocore eks/service-2.json, 2017-11-01).
pub const EKS_FIELDS: &[&str] = &[
    "activatedAt",
    "activationExpiry",
    "associatedAt",
    "createdAt",
    "effectiveDate",
    "endOfExtendedSupportDate",
    "endOfStandardSupportDate",
    "endedAt",
    "expirationDate",
    "finalAutoActivation",
    "firstAutoActivation",
    "lastRefreshTime",
    "lastRequestTime",
    "lastTransitionTime",
    "modifiedAt",
    "notAfter",
    "notBefore",
    "releaseDate",
    "startedAt",
];

/// Timestamp members of the IAM shapes the mock serves.
pub const IAM_FIELDS: &[&str] = &["CreateDate", "UpdateDate", "LastUsedDate"];

/// Timestamp members of the EC2 shapes the mock serves.
pub const EC2_FIELDS: &[&str] = &["LaunchTime", "CreateTime", "AttachTime", "UsageOperationUpdateTime", "ValidUntil"];

/// Reads a timestamp: RFC 3339 (any offset, optional fraction), a bare date (midnight UTC),
/// or epoch seconds (number or numeric string).
pub fn parse(v: &Value) -> Result<OffsetDateTime, String> {
    let bad = || format!("{v} is not a timestamp (use ISO-8601 like 2024-03-14T11:31:44Z, a date, or epoch seconds)");
    match v {
        Value::Number(n) => from_epoch(n.as_f64().ok_or_else(bad)?).ok_or_else(bad),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
                return Ok(t);
            }
            // `2024-03-14T11:31:44` without offset, or with a space: read as UTC.
            let iso = s.replacen(' ', "T", 1);
            if let Ok(t) = OffsetDateTime::parse(&format!("{iso}Z"), &Rfc3339) {
                return Ok(t);
            }
            let date_only = time::macros::format_description!("[year]-[month]-[day]");
            if let Ok(d) = time::Date::parse(s, date_only) {
                return Ok(d.midnight().assume_utc());
            }
            s.parse::<f64>().ok().and_then(from_epoch).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

fn from_epoch(secs: f64) -> Option<OffsetDateTime> {
    if !secs.is_finite() {
        return None;
    }
    let nanos = (secs * 1e9).round() as i128;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

/// EKS wire form: epoch seconds, an integer when whole, else with milliseconds.
pub fn eks(t: OffsetDateTime) -> Value {
    let t = t.to_offset(UtcOffset::UTC);
    let millis = t.millisecond();
    if millis == 0 {
        Value::from(t.unix_timestamp())
    } else {
        let total_millis = t.unix_timestamp() * 1000 + i64::from(millis);
        let secs = total_millis as f64 / 1000.0;
        serde_json::Number::from_f64(secs).map(Value::Number).unwrap_or(Value::Null)
    }
}

/// XML wire form: `2024-03-14T15:31:44Z` (IAM, STS) or with milliseconds
/// `2024-03-14T15:31:44.348Z` (EC2).
pub fn xml(t: OffsetDateTime, millis: bool) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    if millis { format!("{base}.{:03}Z", t.millisecond()) } else { format!("{base}Z") }
}

/// Rewrites every member named in `fields`, anywhere in `v`, with `to`. `Err` names the
/// path of a value that is not a timestamp.
pub fn rewrite(v: &mut Value, fields: &[&str], to: &dyn Fn(OffsetDateTime) -> Value, path: &str) -> Result<(), String> {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                let here = format!("{path}.{k}");
                if fields.contains(&k.as_str()) && !child.is_null() {
                    let t = parse(child).map_err(|e| format!("{here}: {e}"))?;
                    *child = to(t);
                } else {
                    rewrite(child, fields, to, &here)?;
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                rewrite(child, fields, to, &format!("{path}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// EKS resource: timestamps to epoch seconds.
pub fn to_eks(v: &mut Value, path: &str) -> Result<(), String> {
    rewrite(v, EKS_FIELDS, &eks, path)
}

/// IAM resource: timestamps to `…Z` strings.
pub fn to_iam(v: &mut Value, path: &str) -> Result<(), String> {
    rewrite(v, IAM_FIELDS, &|t| Value::String(xml(t, false)), path)
}

/// EC2 resource: timestamps to `….000Z` strings.
pub fn to_ec2(v: &mut Value, path: &str) -> Result<(), String> {
    rewrite(v, EC2_FIELDS, &|t| Value::String(xml(t, true)), path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn eks_timestamps_become_epoch_seconds() {
        let mut v = json!({
            "cluster": {
                "createdAt": "2024-03-14T11:31:44.348000-04:00",
                "name": "c",
                "health": {"issues": []},
                "upgradePolicy": {"supportType": "STANDARD"}
            },
            "list": [{"modifiedAt": "2025-01-01T00:00:00Z", "associatedAt": 1735689600.5}],
            "endOfStandardSupportDate": "2026-11-01",
            "releaseDate": null
        });
        to_eks(&mut v, "x").unwrap();
        assert_eq!(v["cluster"]["createdAt"], json!(1710430304.348));
        assert_eq!(v["list"][0]["modifiedAt"], json!(1735689600));
        assert_eq!(v["list"][0]["associatedAt"], json!(1735689600.5));
        assert_eq!(v["endOfStandardSupportDate"], json!(1793491200));
        assert!(v["releaseDate"].is_null());
        assert_eq!(v["cluster"]["name"], json!("c"));
    }

    #[test]
    fn xml_timestamps_are_utc() {
        let mut v =
            json!({"Role": {"CreateDate": "2023-09-13T17:21:45+02:00"}, "LaunchTime": "2024-01-01T00:00:00.5Z"});
        to_iam(&mut v, "r").unwrap();
        assert_eq!(v["Role"]["CreateDate"], json!("2023-09-13T15:21:45Z"));
        to_ec2(&mut v, "i").unwrap();
        assert_eq!(v["LaunchTime"], json!("2024-01-01T00:00:00.500Z"));
        assert_eq!(xml(parse(&json!(0)).unwrap(), true), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn bad_timestamps_name_their_path() {
        let mut v = json!({"cluster": {"createdAt": "yesterday"}});
        let e = to_eks(&mut v, "clusters[0]").unwrap_err();
        assert!(e.starts_with("clusters[0].cluster.createdAt:"), "{e}");
        assert!(parse(&json!("2024-02-30")).is_err());
        assert!(parse(&json!("2024-01-01 10:00:00")).is_ok());
    }
}
