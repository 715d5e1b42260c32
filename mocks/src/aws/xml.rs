//! XML for the awsQuery (IAM, STS) and ec2Query (EC2) protocols: a small element tree with
//! proper escaping, and renderers from the AWS CLI / boto3 JSON shape (PascalCase) to each
//! protocol's wire shape. awsQuery keeps the member names and lists items as `<member>`; EC2
//! uses lower-camel wire names and `<xxxSet><item>` lists (names as in botocore's model, see
//! [`ec2_wire_name`]). Policy documents travel URL-encoded ([`url_encode`]).

use serde_json::Value;

/// An XML element: a name, attributes, and either text or child elements.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    text: Option<String>,
    children: Vec<Element>,
}

impl Element {
    pub fn new(name: impl Into<String>) -> Self {
        Element { name: name.into(), attrs: vec![], text: None, children: vec![] }
    }

    /// `<name>text</name>`.
    pub fn leaf(name: impl Into<String>, text: impl Into<String>) -> Self {
        Element { text: Some(text.into()), ..Element::new(name) }
    }

    pub fn attr(mut self, k: &str, v: &str) -> Self {
        self.attrs.push((k.into(), v.into()));
        self
    }

    pub fn child(mut self, c: Element) -> Self {
        self.children.push(c);
        self
    }

    pub fn children(mut self, cs: impl IntoIterator<Item = Element>) -> Self {
        self.children.extend(cs);
        self
    }

    /// The document, with an XML declaration.
    pub fn document(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        self.write(&mut out);
        out
    }

    pub fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            out.push_str(&format!(" {k}=\"{}\"", escape(v, true)));
        }
        match (&self.text, self.children.is_empty()) {
            (None, true) => out.push_str("/>"),
            _ => {
                out.push('>');
                if let Some(t) = &self.text {
                    out.push_str(&escape(t, false));
                }
                for c in &self.children {
                    c.write(out);
                }
                out.push_str(&format!("</{}>", self.name));
            }
        }
    }
}

impl std::fmt::Display for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::new();
        self.write(&mut s);
        f.write_str(&s)
    }
}

/// Escapes XML text (and, with `attr`, attribute values). Characters XML 1.0 cannot carry
/// (most control characters) are dropped; `\r` is kept as a character reference.
pub fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            '\n' if attr => out.push_str("&#xA;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes per RFC 3986 (everything but `A-Z a-z 0-9 - _ . ~`), as IAM encodes
/// policy documents on the wire.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Text of a scalar JSON value on an XML wire.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// awsQuery: `name` holding `v`, member names unchanged, list items as `<member>`.
/// `null` members are left out.
pub fn query(name: &str, v: &Value) -> Element {
    match v {
        Value::Object(m) => {
            Element::new(name).children(m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| query(k, v)))
        }
        Value::Array(items) => Element::new(name).children(items.iter().map(|i| query("member", i))),
        other => Element::leaf(name, scalar(other)),
    }
}

/// The members of a JSON object rendered for awsQuery, for a `…Result` element.
pub fn query_members(v: &Value) -> Vec<Element> {
    match v {
        Value::Object(m) => m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| query(k, v)).collect(),
        _ => vec![],
    }
}

/// EC2 wire names that do not follow the default rule, as `(parent member, member, wire)`;
/// parent `""` is the top of an operation's output. Taken from botocore's ec2 model
/// (`locationName`), the same names the AWS SDKs deserialize.
const EC2_NAMES: &[(&str, &str, &str)] = &[
    ("", "Regions", "regionInfo"),
    ("Regions", "Endpoint", "regionEndpoint"),
    ("Reservations", "Instances", "instancesSet"),
    ("Instances", "State", "instanceState"),
    ("Instances", "SecurityGroups", "groupSet"),
    ("Instances", "BlockDeviceMappings", "blockDeviceMapping"),
    ("Instances", "PublicDnsName", "dnsName"),
    ("Instances", "PublicIpAddress", "ipAddress"),
    ("Instances", "StateTransitionReason", "reason"),
    ("Instances", "ProductCodes", "productCodes"),
    ("ProductCodes", "ProductCodeId", "productCode"),
    ("ProductCodes", "ProductCodeType", "type"),
    ("LaunchTemplateData", "LicenseSpecifications", "licenseSet"),
];

/// List item element names other than `item`, for lists of scalars.
const EC2_ITEMS: &[(&str, &str, &str)] = &[("NetworkInterfaces", "Groups", "groupId")];

/// `MaxItems` → `maxItems`: how validation messages name a member.
pub fn lower_camel(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The EC2 wire name of member `key` (PascalCase) of a structure reached through member
/// `parent`. Default: lower camel case; a list is `<singular>Set` (`Tags` → `tagSet`,
/// `Ipv4Prefixes` → `ipv4PrefixSet`, but `…Addresses` → `…AddressesSet`).
pub fn ec2_wire_name(parent: &str, key: &str, is_list: bool) -> String {
    if let Some((_, _, w)) = EC2_NAMES.iter().find(|(p, k, _)| *p == parent && *k == key) {
        return w.to_string();
    }
    if !is_list {
        return lower_camel(key);
    }
    let singular = if key.ends_with("Addresses") {
        key
    } else if let Some(s) = key.strip_suffix("xes") {
        return lower_camel(s) + "xSet";
    } else {
        key.strip_suffix('s').unwrap_or(key)
    };
    lower_camel(singular) + "Set"
}

fn ec2_item_name(parent: &str, key: &str, item: &Value) -> &'static str {
    let scalar = !matches!(item, Value::Object(_) | Value::Array(_));
    match EC2_ITEMS.iter().find(|(p, k, _)| *p == parent && *k == key) {
        Some((_, _, name)) if scalar => name,
        _ => "item",
    }
}

/// ec2Query: member `key` of a structure reached through `parent`, holding `v`.
pub fn ec2(parent: &str, key: &str, v: &Value) -> Element {
    let wire = ec2_wire_name(parent, key, v.is_array());
    match v {
        Value::Object(m) => {
            Element::new(wire).children(m.iter().filter(|(_, v)| !v.is_null()).map(|(k, child)| ec2(key, k, child)))
        }
        Value::Array(items) => {
            Element::new(wire).children(items.iter().map(|i| ec2_item(key, ec2_item_name(parent, key, i), i)))
        }
        other => Element::leaf(wire, scalar(other)),
    }
}

/// One list item: its members are reached through the list member `list_key`.
fn ec2_item(list_key: &str, item_name: &str, v: &Value) -> Element {
    match v {
        Value::Object(m) => Element::new(item_name)
            .children(m.iter().filter(|(_, v)| !v.is_null()).map(|(k, child)| ec2(list_key, k, child))),
        other => Element::leaf(item_name, scalar(other)),
    }
}

/// The members of an operation's output (CLI shape) rendered for ec2Query.
pub fn ec2_members(v: &Value) -> Vec<Element> {
    match v {
        Value::Object(m) => m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| ec2("", k, v)).collect(),
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(escape("a<b & c>\"d'", false), "a&lt;b &amp; c&gt;\"d'");
        assert_eq!(escape("x\"'<", true), "x&quot;&apos;&lt;");
        assert_eq!(escape("line\r\nnext\u{1}", false), "line&#xD;\nnext");
        let e = Element::new("A").attr("xmlns", "urn:x&y").child(Element::leaf("B", "<&>")).child(Element::new("C"));
        assert_eq!(e.to_string(), r#"<A xmlns="urn:x&amp;y"><B>&lt;&amp;&gt;</B><C/></A>"#);
        assert!(e.document().starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A "));
    }

    #[test]
    fn url_encodes_like_iam() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}"#;
        assert_eq!(
            url_encode(doc),
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22sts%3AAssumeRole%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%7D%5D%7D"
        );
        assert_eq!(url_encode("a b*~_.-/é"), "a%20b%2A~_.-%2F%C3%A9");
    }

    #[test]
    fn query_lists_are_members() {
        let v = json!({"Url": "oidc.example/id/1", "ClientIDList": ["sts.amazonaws.com"], "Tags": [{"Key": "k", "Value": "v&"}], "Gone": null, "N": 3, "B": false});
        let got: String = query_members(&v).iter().map(Element::to_string).collect();
        assert_eq!(
            got,
            "<B>false</B><ClientIDList><member>sts.amazonaws.com</member></ClientIDList><N>3</N>\
             <Tags><member><Key>k</Key><Value>v&amp;</Value></member></Tags><Url>oidc.example/id/1</Url>"
        );
        assert_eq!(query("L", &json!([])).to_string(), "<L/>");
    }

    #[test]
    fn ec2_uses_wire_names_and_item_lists() {
        let v = json!({"Reservations": [{"ReservationId": "r-1", "Instances": [{
            "InstanceId": "i-1",
            "State": {"Code": 16, "Name": "running"},
            "MetadataOptions": {"State": "applied", "HttpTokens": "required", "HttpPutResponseHopLimit": 1},
            "Tags": [{"Key": "eks:nodegroup-name", "Value": "ng"}],
            "SecurityGroups": [{"GroupId": "sg-1", "GroupName": "n"}],
            "PublicIpAddress": "203.0.113.9"
        }]}], "NextToken": "t"});
        let got: String = ec2_members(&v).iter().map(Element::to_string).collect();
        assert_eq!(
            got,
            "<nextToken>t</nextToken><reservationSet><item><instancesSet><item><instanceId>i-1</instanceId>\
             <metadataOptions><httpPutResponseHopLimit>1</httpPutResponseHopLimit><httpTokens>required</httpTokens><state>applied</state></metadataOptions>\
             <ipAddress>203.0.113.9</ipAddress>\
             <groupSet><item><groupId>sg-1</groupId><groupName>n</groupName></item></groupSet>\
             <instanceState><code>16</code><name>running</name></instanceState>\
             <tagSet><item><key>eks:nodegroup-name</key><value>ng</value></item></tagSet></item></instancesSet>\
             <reservationId>r-1</reservationId></item></reservationSet>"
        );
        let lt = json!({"NetworkInterfaces": [{"Groups": ["sg-7c227019"], "DeviceIndex": 0}]});
        assert_eq!(
            ec2("LaunchTemplateVersions", "LaunchTemplateData", &lt).to_string(),
            "<launchTemplateData><networkInterfaceSet><item><deviceIndex>0</deviceIndex>\
             <groupSet><groupId>sg-7c227019</groupId></groupSet></item></networkInterfaceSet></launchTemplateData>"
        );
    }

    /// Every wire name of DescribeLaunchTemplateVersions in botocore 1.44.5 (shape-facts.json),
    /// plus the DescribeInstances / DescribeRegions names the Rust SDK deserializes.
    #[test]
    fn ec2_wire_names_match_the_model() {
        let table = include_str!("testdata/ec2-wire-names.txt");
        let mut checked = 0;
        for line in table.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let [parent, key, kind, wire] = f.as_slice() else { panic!("bad line {line}") };
            let parent = if *parent == "-" { "" } else { parent };
            if let Some(item) = kind.strip_prefix("item=") {
                assert_eq!(ec2_item_name(parent, key, &json!("x")), item, "{line}");
                continue;
            }
            assert_eq!(ec2_wire_name(parent, key, *kind == "list"), *wire, "{line}");
            checked += 1;
        }
        assert!(checked > 150, "{checked}");
    }
}
