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
    Ok(Config { thresholds: cfg.thresholds, allow_permanent: cfg.allow_permanent, waivers: cfg.waivers })
}
