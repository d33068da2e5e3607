//! Rust names for model names.

/// `DescribeRegions` -> `describe_regions`, `VpcIPv6` -> `vpc_i_pv6`-free
/// spelling: runs of capitals stay one word (`DNSName` -> `dns_name`).
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = if i > 0 { chars.get(i - 1) } else { None };
            let next = chars.get(i + 1);
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    field_ident(&out)
}

/// Makes a field or function name out of a snake-case word.
fn field_ident(word: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for",
        "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
        "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
        "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    if word.is_empty() {
        return "field".to_string();
    }
    if word.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return format!("n{word}");
    }
    if matches!(word, "self" | "super" | "crate") {
        return format!("{word}_");
    }
    if KEYWORDS.contains(&word) {
        return format!("r#{word}");
    }
    word.to_string()
}

/// A type name for a shape: the shape name with its first letter upper-cased,
/// renamed when it would shadow something the generated code uses.
pub fn type_name(shape: &str) -> String {
    let mut chars = shape.chars();
    let base: String = match chars.next() {
        Some(c) => c
            .to_uppercase()
            .chain(chars)
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect(),
        None => "Unnamed".to_string(),
    };
    const TAKEN: &[&str] = &[
        "Option",
        "Result",
        "Box",
        "Vec",
        "String",
        "Default",
        "Some",
        "None",
        "Ok",
        "Err",
        "Value",
        "Timestamp",
        "BTreeMap",
        "ApiError",
        "ConvertError",
        "FromValue",
        "IntoValue",
        "Self",
        "Send",
        "Sync",
        "Future",
        "RequestContext",
        "Service",
        "Shape",
        "Member",
        "Operation",
        "ServiceSpec",
        "Protocol",
        "Bounds",
        "ShapeKind",
        "ErrorSpec",
        "Clone",
        "Copy",
        "Debug",
        "PartialEq",
    ];
    if TAKEN.contains(&base.as_str()) {
        format!("{base}Shape")
    } else {
        base
    }
}

/// An enum variant for an enum value: `opt-in-not-required` ->
/// `OptInNotRequired`, `t2.micro` -> `T2Micro`, `ACTIVE` -> `Active`.
pub fn variant(value: &str) -> String {
    let mut out = String::new();
    for word in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let all_upper = word.chars().all(|c| !c.is_ascii_lowercase());
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            if all_upper {
                out.extend(chars.map(|c| c.to_ascii_lowercase()));
            } else {
                out.extend(chars);
            }
        }
    }
    if out.is_empty() {
        return "Empty".to_string();
    }
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// A static's name for a shape.
pub fn shape_static(shape: &str) -> String {
    let clean: String = shape
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("S_{clean}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_cases() {
        assert_eq!(snake("DescribeRegions"), "describe_regions");
        assert_eq!(snake("DNSName"), "dns_name");
        assert_eq!(snake("Ipv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("locationCode"), "location_code");
        assert_eq!(snake("self"), "self_");
    }

    #[test]
    fn variants() {
        assert_eq!(variant("opt-in-not-required"), "OptInNotRequired");
        assert_eq!(variant("t2.micro"), "T2Micro");
        assert_eq!(variant("ACTIVE"), "Active");
        assert_eq!(variant("1Gbps"), "V1Gbps");
        assert_eq!(variant("PendingAcceptance"), "PendingAcceptance");
    }
}
