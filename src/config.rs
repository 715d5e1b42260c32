//! The config file (`--config`, YAML): thresholds, and waivers with the permission to make them
//! permanent. Unknown keys are an error, so typos do not silently fall back to defaults.

use anyhow::Context as _;
use kubeposture_checks::Thresholds;
use std::path::Path;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    thresholds: Thresholds,
    /// Waivers may omit `expires` (README "Scheduled scans").
    #[serde(default)]
    allow_permanent: bool,
    #[serde(default)]
    waivers: Vec<crate::waivers::WaiverSpec>,
}

/// Everything the config file sets.
#[derive(Debug, Default)]
pub struct Config {
    pub thresholds: Thresholds,
    pub allow_permanent: bool,
    pub waivers: Vec<crate::waivers::WaiverSpec>,
}

/// The thresholds only.
pub fn load(path: Option<&Path>) -> anyhow::Result<Thresholds> {
    Ok(load_all(path)?.thresholds)
}

pub fn load_all(path: Option<&Path>) -> anyhow::Result<Config> {
    let Some(path) = path else { return Ok(Config::default()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config {}", path.display()))?;
    let cfg: ConfigFile =
        serde_yaml_ng::from_str(&text).with_context(|| format!("invalid config {}", path.display()))?;
    check(&cfg.thresholds).map_err(|e| anyhow::anyhow!("invalid config {}: {e}", path.display()))?;
    Ok(Config { thresholds: cfg.thresholds, allow_permanent: cfg.allow_permanent, waivers: cfg.waivers })
}

/// Thresholds within what the clouds allow, so a typo does not silently pass everything.
fn check(t: &Thresholds) -> Result<(), String> {
    let within = |name: &str, v: u64, lo: u64, hi: u64| {
        if (lo..=hi).contains(&v) { Ok(()) } else { Err(format!("thresholds.{name} must be {lo}…{hi}, got {v}")) }
    };
    within("max_ipv4_prefix", t.max_ipv4_prefix.into(), 0, 32)?;
    within("max_ipv6_prefix", t.max_ipv6_prefix.into(), 0, 128)?;
    within("eks_max_cluster_admins", t.eks_max_cluster_admins as u64, 0, 10_000)?;
    // Conditional Access allows 1 hour to 365 days; PIM activations last at most 24 hours.
    within("ca_max_sign_in_frequency_hours", t.ca_max_sign_in_frequency_hours.into(), 1, 365 * 24)?;
    within("pim_max_activation_hours", t.pim_max_activation_hours.into(), 1, 24)?;
    if let Some(p) = t.eks_allowed_admins.iter().find(|p| !(p.starts_with("arn:") || p.starts_with('*'))) {
        return Err(format!("thresholds.eks_allowed_admins: '{p}' is not a principal ARN pattern (arn:…)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(yaml: &str) -> anyhow::Result<Thresholds> {
        let dir = std::env::temp_dir().join(format!("kp-config-{}-{}", std::process::id(), yaml.len()));
        std::fs::write(&dir, yaml).unwrap();
        let r = load(Some(&dir));
        let _ = std::fs::remove_file(&dir);
        r
    }

    #[test]
    fn thresholds_out_of_range_are_errors() {
        for (yaml, says) in [
            ("thresholds: {max_ipv4_prefix: 40}", "max_ipv4_prefix"),
            ("thresholds: {max_ipv6_prefix: 200}", "max_ipv6_prefix"),
            ("thresholds: {pim_max_activation_hours: 0}", "pim_max_activation_hours"),
            ("thresholds: {ca_max_sign_in_frequency_hours: 100000}", "ca_max_sign_in_frequency_hours"),
            ("thresholds: {eks_allowed_admins: ['']}", "eks_allowed_admins"),
            ("thresholds: {max_ipv4_prefix: -1}", "invalid config"),
        ] {
            let e = format!("{:#}", load_text(yaml).unwrap_err());
            assert!(e.contains(says), "{yaml}: {e}");
        }
        assert_eq!(load_text("thresholds: {max_ipv4_prefix: 24}").unwrap().max_ipv4_prefix, 24);
    }
}
