//! Request parameters: the awsQuery / ec2Query form body (`Action=…&Filter.1.Name=…`) or the
//! EKS query string (`maxResults=…&clusterVersions=1.30&clusterVersions=1.31`).

/// Decoded `name=value` pairs, in request order.
#[derive(Clone, Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Params(pairs)
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated `name` (EKS list query parameters).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// A boolean parameter (`true`/`false`), `None` when absent; `Err` with the raw value otherwise.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(v.to_string()),
        }
    }

    /// A query-protocol list `Prefix.1`, `Prefix.2`, … in index order.
    pub fn list(&self, prefix: &str) -> Vec<&str> {
        let mut items: Vec<(u32, &str)> = self
            .0
            .iter()
            .filter_map(|(k, v)| {
                let n = k.strip_prefix(prefix)?.strip_prefix('.')?.parse().ok()?;
                Some((n, v.as_str()))
            })
            .collect();
        items.sort_by_key(|(n, _)| *n);
        items.into_iter().map(|(_, v)| v).collect()
    }

    /// EC2 filters: `Filter.N.Name` with its `Filter.N.Value.M` values, in N order.
    pub fn filters(&self) -> Vec<(String, Vec<String>)> {
        let mut names: Vec<(u32, &str)> = self
            .0
            .iter()
            .filter_map(|(k, v)| {
                let n = k.strip_prefix("Filter.")?.strip_suffix(".Name")?.parse().ok()?;
                Some((n, v.as_str()))
            })
            .collect();
        names.sort_by_key(|(n, _)| *n);
        names
            .into_iter()
            .map(|(n, name)| {
                let values = self.list(&format!("Filter.{n}.Value")).into_iter().map(str::to_string).collect();
                (name.to_string(), values)
            })
            .collect()
    }
}

/// Whether `value` matches an EC2 filter pattern (`*` any run, `?` one character).
pub fn glob(pattern: &str, value: &str) -> bool {
    fn go(p: &[char], v: &[char]) -> bool {
        match (p.first(), v.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], v) || (!v.is_empty() && go(p, &v[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &v[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &v[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    go(&p, &v)
}

/// Percent-decodes one path segment (`arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx`).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Params {
        Params::new(url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
    }

    #[test]
    fn lists_and_filters_in_index_order() {
        let q = p("Action=DescribeInstances&Filter.2.Name=instance-state-name&Filter.2.Value.1=running\
                   &Filter.1.Name=tag%3Aeks%3Anodegroup-name&Filter.1.Value.2=b&Filter.1.Value.1=a\
                   &InstanceId.10=i-10&InstanceId.2=i-2");
        assert_eq!(q.get("Action"), Some("DescribeInstances"));
        assert_eq!(q.list("InstanceId"), ["i-2", "i-10"]);
        assert_eq!(
            q.filters(),
            [
                ("tag:eks:nodegroup-name".to_string(), vec!["a".to_string(), "b".to_string()]),
                ("instance-state-name".to_string(), vec!["running".to_string()])
            ]
        );
        let e = p("clusterVersions=1.30&clusterVersions=1.31&defaultOnly=true&includeAll=maybe");
        assert_eq!(e.all("clusterVersions"), ["1.30", "1.31"]);
        assert_eq!(e.flag("defaultOnly"), Ok(Some(true)));
        assert!(e.flag("includeAll").is_err());
        assert_eq!(e.flag("x"), Ok(None));
    }

    #[test]
    fn globs_and_percent_decoding() {
        assert!(glob("ng-*", "ng-apps"));
        assert!(glob("*", ""));
        assert!(glob("i-?2", "i-12"));
        assert!(!glob("ng-?", "ng-10"));
        assert_eq!(
            percent_decode("arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fadmin"),
            "arn:aws:iam::111122223333:role/admin"
        );
        assert_eq!(percent_decode("a%2"), "a%2");
    }
}
