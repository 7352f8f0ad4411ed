//! The exported Navigator layer against the published layer file format 4.5
//! (mitre-attack/attack-navigator, `layers/spec/v4.5/layerformat.md`), and
//! against what the Navigator checks when it opens a layer.
//!
//! `validate` is written from the specification's property tables:
//! required properties, types, allowed values. It rejects properties the
//! specification does not define, so a typo in the exporter cannot hide.
//! The negative tests show that it rejects each kind of mistake, so the
//! positive test cannot pass vacuously.

use ruledex_attack::{Attack, LayerScore};
use serde_json::{json, Map, Value};

/// Check `layer` against the layer format 4.5; every problem is listed.
fn validate(layer: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(top) = layer.as_object() else {
        return vec!["a layer is a JSON object".into()];
    };
    let allowed = [
        "versions",
        "name",
        "description",
        "domain",
        "customDataURL",
        "filters",
        "sorting",
        "layout",
        "hideDisabled",
        "techniques",
        "gradient",
        "legendItems",
        "showTacticRowBackground",
        "tacticRowBackground",
        "selectTechniquesAcrossTactics",
        "selectSubtechniquesWithParent",
        "selectVisibleTechniques",
        "metadata",
        "links",
    ];
    unknown_keys(top, &allowed, "layer", &mut errors);
    required_string(top, "name", "layer", &mut errors);
    match top.get("domain").and_then(Value::as_str) {
        Some("enterprise-attack" | "mobile-attack" | "ics-attack") => {}
        Some(other) => errors.push(format!("domain {other:?} is not a valid value")),
        None => errors.push("layer.domain is required (string)".into()),
    }
    optional(top, "description", Value::is_string, "string", &mut errors);
    optional(
        top,
        "customDataURL",
        Value::is_string,
        "string",
        &mut errors,
    );
    optional(
        top,
        "hideDisabled",
        Value::is_boolean,
        "boolean",
        &mut errors,
    );
    optional(
        top,
        "showTacticRowBackground",
        Value::is_boolean,
        "boolean",
        &mut errors,
    );
    optional(
        top,
        "tacticRowBackground",
        Value::is_string,
        "string",
        &mut errors,
    );
    for key in [
        "selectTechniquesAcrossTactics",
        "selectSubtechniquesWithParent",
        "selectVisibleTechniques",
    ] {
        optional(top, key, Value::is_boolean, "boolean", &mut errors);
    }
    if let Some(sorting) = top.get("sorting") {
        if !matches!(sorting.as_u64(), Some(0..=3)) {
            errors.push("sorting must be 0, 1, 2 or 3".into());
        }
    }

    // Version object: navigator and layer are required when present.
    if let Some(versions) = top.get("versions") {
        match versions.as_object() {
            Some(v) => {
                unknown_keys(
                    v,
                    &["attack", "navigator", "layer"],
                    "versions",
                    &mut errors,
                );
                if let Some(attack) = v.get("attack") {
                    // The Navigator takes the first run of digits of a string.
                    match attack.as_str() {
                        Some(text) if text.chars().any(|c| c.is_ascii_digit()) => {}
                        _ => errors
                            .push("versions.attack must be a string with a version number".into()),
                    }
                }
                match v.get("navigator").and_then(Value::as_str) {
                    Some(text) if version_at_least(text, [4, 9, 0]) => {}
                    Some(text) => errors.push(format!(
                        "versions.navigator {text:?} must be at least 4.9.0"
                    )),
                    None => errors.push("versions.navigator is required (string)".into()),
                }
                match v.get("layer").and_then(Value::as_str) {
                    Some("4.5") => {}
                    Some(other) => {
                        errors.push(format!("versions.layer must be \"4.5\", not {other:?}"))
                    }
                    None => errors.push("versions.layer is required (string)".into()),
                }
            }
            None => errors.push("versions must be an object".into()),
        }
    }

    if let Some(filters) = top.get("filters") {
        match filters.as_object() {
            Some(f) => {
                unknown_keys(f, &["platforms"], "filters", &mut errors);
                optional(
                    f,
                    "platforms",
                    is_string_array,
                    "array of strings",
                    &mut errors,
                );
            }
            None => errors.push("filters must be an object".into()),
        }
    }

    if let Some(layout) = top.get("layout") {
        match layout.as_object() {
            Some(l) => {
                let keys = [
                    "layout",
                    "showID",
                    "showName",
                    "showAggregateScores",
                    "countUnscored",
                    "aggregateFunction",
                    "expandedSubtechniques",
                ];
                unknown_keys(l, &keys, "layout", &mut errors);
                one_of(l, "layout", &["side", "flat", "mini"], &mut errors);
                one_of(
                    l,
                    "aggregateFunction",
                    &["average", "min", "max", "sum"],
                    &mut errors,
                );
                one_of(
                    l,
                    "expandedSubtechniques",
                    &["none", "all", "annotated"],
                    &mut errors,
                );
                for key in ["showID", "showName", "showAggregateScores", "countUnscored"] {
                    optional(l, key, Value::is_boolean, "boolean", &mut errors);
                }
            }
            None => errors.push("layout must be an object".into()),
        }
    }

    if let Some(techniques) = top.get("techniques") {
        match techniques.as_array() {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    let at = format!("techniques[{index}]");
                    let Some(t) = item.as_object() else {
                        errors.push(format!("{at} must be an object"));
                        continue;
                    };
                    let keys = [
                        "techniqueID",
                        "tactic",
                        "comment",
                        "enabled",
                        "score",
                        "color",
                        "metadata",
                        "links",
                        "showSubtechniques",
                    ];
                    unknown_keys(t, &keys, &at, &mut errors);
                    match t.get("techniqueID").and_then(Value::as_str) {
                        Some(id) if is_technique_id(id) => {}
                        Some(id) => errors
                            .push(format!("{at}.techniqueID {id:?} is not T#### or T####.###")),
                        None => errors.push(format!("{at}.techniqueID is required (string)")),
                    }
                    optional(t, "tactic", Value::is_string, "string", &mut errors);
                    optional(t, "comment", Value::is_string, "string", &mut errors);
                    optional(t, "enabled", Value::is_boolean, "boolean", &mut errors);
                    optional(t, "score", Value::is_number, "number", &mut errors);
                    optional(t, "color", Value::is_string, "string", &mut errors);
                    optional(
                        t,
                        "showSubtechniques",
                        Value::is_boolean,
                        "boolean",
                        &mut errors,
                    );
                    metadata_list(t.get("metadata"), &format!("{at}.metadata"), &mut errors);
                    link_list(t.get("links"), &format!("{at}.links"), &mut errors);
                }
            }
            None => errors.push("techniques must be an array".into()),
        }
    }

    if let Some(gradient) = top.get("gradient") {
        match gradient.as_object() {
            Some(g) => {
                unknown_keys(
                    g,
                    &["colors", "minValue", "maxValue"],
                    "gradient",
                    &mut errors,
                );
                match g.get("colors").and_then(Value::as_array) {
                    Some(colors) if colors.len() >= 2 => {
                        for color in colors {
                            if !color.as_str().is_some_and(is_hex_color) {
                                errors.push(format!("gradient color {color} is not #rrggbb"));
                            }
                        }
                    }
                    _ => errors.push("gradient.colors needs at least two colors".into()),
                }
                let min = g.get("minValue").and_then(Value::as_f64);
                let max = g.get("maxValue").and_then(Value::as_f64);
                match (min, max) {
                    (Some(min), Some(max)) if max > min => {}
                    (Some(_), Some(_)) => {
                        errors.push("gradient.maxValue must be > minValue".into())
                    }
                    _ => {
                        errors.push("gradient.minValue and maxValue are required (numbers)".into())
                    }
                }
            }
            None => errors.push("gradient must be an object".into()),
        }
    }

    if let Some(legend) = top.get("legendItems") {
        match legend.as_array() {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    let at = format!("legendItems[{index}]");
                    match item.as_object() {
                        Some(o) => {
                            unknown_keys(o, &["label", "color"], &at, &mut errors);
                            required_string(o, "label", &at, &mut errors);
                            required_string(o, "color", &at, &mut errors);
                        }
                        None => errors.push(format!("{at} must be an object")),
                    }
                }
            }
            None => errors.push("legendItems must be an array".into()),
        }
    }
    metadata_list(top.get("metadata"), "metadata", &mut errors);
    link_list(top.get("links"), "links", &mut errors);
    errors
}

fn unknown_keys(object: &Map<String, Value>, allowed: &[&str], at: &str, errors: &mut Vec<String>) {
    for key in object.keys() {
        if !allowed.contains(&key.as_str()) {
            errors.push(format!("{at}.{key} is not a property of layer format 4.5"));
        }
    }
}

fn required_string(object: &Map<String, Value>, key: &str, at: &str, errors: &mut Vec<String>) {
    if !object.get(key).is_some_and(Value::is_string) {
        errors.push(format!("{at}.{key} is required (string)"));
    }
}

fn optional(
    object: &Map<String, Value>,
    key: &str,
    check: fn(&Value) -> bool,
    what: &str,
    errors: &mut Vec<String>,
) {
    if let Some(value) = object.get(key) {
        if !check(value) {
            errors.push(format!("{key} must be a {what}"));
        }
    }
}

fn one_of(object: &Map<String, Value>, key: &str, values: &[&str], errors: &mut Vec<String>) {
    if let Some(value) = object.get(key) {
        if !value.as_str().is_some_and(|v| values.contains(&v)) {
            errors.push(format!("{key} must be one of {values:?}"));
        }
    }
}

fn metadata_list(list: Option<&Value>, at: &str, errors: &mut Vec<String>) {
    let Some(list) = list else { return };
    let Some(items) = list.as_array() else {
        errors.push(format!("{at} must be an array"));
        return;
    };
    for item in items {
        let Some(o) = item.as_object() else {
            errors.push(format!("{at} items must be objects"));
            continue;
        };
        if o.contains_key("divider") {
            if !o.get("divider").is_some_and(Value::is_boolean) || o.len() != 1 {
                errors.push(format!("{at}: a divider is {{\"divider\": bool}}"));
            }
        } else {
            unknown_keys(o, &["name", "value"], at, errors);
            required_string(o, "name", at, errors);
            required_string(o, "value", at, errors);
        }
    }
}

fn link_list(list: Option<&Value>, at: &str, errors: &mut Vec<String>) {
    let Some(list) = list else { return };
    let Some(items) = list.as_array() else {
        errors.push(format!("{at} must be an array"));
        return;
    };
    for item in items {
        let Some(o) = item.as_object() else {
            errors.push(format!("{at} items must be objects"));
            continue;
        };
        if !o.contains_key("divider") {
            required_string(o, "label", at, errors);
            match o.get("url").and_then(Value::as_str) {
                Some(url) if url.contains("://") => {}
                _ => errors.push(format!("{at}: url is required and needs a protocol")),
            }
        }
    }
}

fn is_string_array(value: &Value) -> bool {
    value
        .as_array()
        .is_some_and(|items| items.iter().all(Value::is_string))
}

fn is_technique_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    match bytes.len() {
        5 => bytes[0] == b'T' && digits(1..5),
        9 => bytes[0] == b'T' && digits(1..5) && bytes[5] == b'.' && digits(6..9),
        _ => false,
    }
}

fn is_hex_color(text: &str) -> bool {
    let hex = text.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

fn version_at_least(text: &str, minimum: [u32; 3]) -> bool {
    let mut parts = text.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = [
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    ];
    found >= minimum
}

/// What the Navigator checks on opening (see `navigator.rs`): the layer
/// format must be its own (4.5), the ATT&CK major version (first digits of
/// `versions.attack`) the one the ids were resolved against, and every
/// technique must exist in that version's matrix, under a tactic it has.
fn opens_without_warning(attack: &Attack, layer: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let versions = &layer["versions"];
    if versions["layer"] != "4.5" {
        errors.push("layer format is not 4.5: out-of-date warning".into());
    }
    let attack_digits: String = versions["attack"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    if attack_digits != attack.version().major() {
        errors.push(format!(
            "versions.attack {attack_digits:?} is not the data's major version {:?}: upgrade dialog",
            attack.version().major()
        ));
    }
    for technique in layer["techniques"].as_array().into_iter().flatten() {
        let id = technique["techniqueID"].as_str().unwrap_or_default();
        match attack.technique(id) {
            Some(t) if t.is_active() && !t.provisional => {
                if let Some(tactic) = technique["tactic"].as_str() {
                    if !attack.tactics_of(t).contains(&tactic) {
                        errors.push(format!("{id} is not in tactic {tactic}"));
                    }
                }
            }
            _ => errors.push(format!(
                "{id} is not in ATT&CK v{}",
                attack.version().attack
            )),
        }
    }
    errors
}

fn sample_layer() -> Value {
    Attack::embedded().navigator_layer(
        [
            LayerScore::from(("T1562.001", 1.0, "elastic: Disable Defender")),
            LayerScore::from(("T1685", 2.0, "sigma: tamper protection")),
            LayerScore::from(("T1059.001", 3.0, "")),
            LayerScore {
                technique: "T1078.004".into(),
                tactic: Some("InitialAccess".into()),
                score: 1.0,
                comment: "only under Initial Access".into(),
            },
            LayerScore::from(("T1086", 1.0, "old id")),
            LayerScore::from(("T1684", 1.0, "v19 addition")),
            LayerScore::from(("T9999", 1.0, "nonsense")),
            LayerScore::from(("T1110", f64::NAN, "no score")),
        ],
        "ruledex coverage",
        "rules per technique",
    )
}

#[test]
fn exported_layer_follows_the_4_5_format_and_opens_cleanly() {
    let attack = Attack::embedded();
    let layer = sample_layer();
    assert_eq!(validate(&layer), Vec::<String>::new());
    assert_eq!(opens_without_warning(attack, &layer), Vec::<String>::new());
    assert_eq!(
        layer["versions"],
        json!({"attack": "18", "navigator": "5.2.0", "layer": "4.5"})
    );
    assert_eq!(layer["domain"], "enterprise-attack");
}

#[test]
fn scores_fold_and_merge_onto_v18_cells() {
    let layer = sample_layer();
    let techniques = layer["techniques"].as_array().unwrap();
    let find = |id: &str, tactic: Option<&str>| {
        techniques
            .iter()
            .find(|t| t["techniqueID"] == id && t["tactic"].as_str() == tactic)
            .unwrap_or_else(|| panic!("{id} {tactic:?} missing from {techniques:#?}"))
    };
    // T1685 (v19) and T1562.001 (v18) are one cell: scores add up.
    let tools = find("T1562.001", None);
    assert_eq!(tools["score"], 3.0);
    assert_eq!(
        tools["comment"],
        "elastic: Disable Defender; sigma: tamper protection (via T1685, provisional v19.2)"
    );
    // A revoked id scores its replacement.
    let powershell = find("T1059.001", None);
    assert_eq!(powershell["score"], 4.0);
    // A tactic given in any spelling becomes the layer's short name.
    assert_eq!(find("T1078.004", Some("initial-access"))["score"], 1.0);
    // A NaN score leaves the technique unscored (the key is absent).
    assert!(find("T1110", None).get("score").is_none());
    // The gradient spans the scores.
    assert_eq!(layer["gradient"]["maxValue"], 4.0);
    // What cannot be shown on the v18.1 matrix is listed, not exported.
    assert!(techniques
        .iter()
        .all(|t| t["techniqueID"] != "T1684" && t["techniqueID"] != "T9999"));
    let not_shown: Vec<&str> = layer["metadata"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["name"] == "not shown")
        .filter_map(|m| m["value"].as_str())
        .collect();
    assert_eq!(
        not_shown,
        [
            "T1684 Social Engineering (provisional ATT&CK v19.2, no v18.1 cell)",
            "T9999 (not a current technique)"
        ]
    );
}

#[test]
fn small_layer_snapshot() {
    let layer = Attack::embedded().navigator_layer(
        [("T1059.001", 2.0, "2 rules"), ("T1685", 1.0, "1 rule")],
        "example",
        "two techniques",
    );
    insta::assert_json_snapshot!(layer);
}

#[test]
fn empty_layer_is_still_valid() {
    let layer = Attack::embedded().navigator_layer(Vec::<LayerScore>::new(), "empty", "");
    assert_eq!(validate(&layer), Vec::<String>::new());
    assert_eq!(layer["gradient"]["maxValue"], 1.0, "max must exceed min");
}

/// A change to a layer.
type Edit = Box<dyn Fn(&mut Value)>;

/// The validator rejects each kind of mistake the exporter could make.
#[test]
fn validator_rejects_broken_layers() {
    let attack = Attack::embedded();
    let base = sample_layer();
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut layer = base.clone();
        edit(&mut layer);
        let mut problems = validate(&layer);
        problems.extend(opens_without_warning(attack, &layer));
        problems
    };
    let cases: Vec<(&str, Edit)> = vec![
        (
            "no name",
            Box::new(|l| drop(l.as_object_mut().unwrap().remove("name"))),
        ),
        (
            "bad domain",
            Box::new(|l| l["domain"] = json!("enterprise")),
        ),
        (
            "layer 4.4",
            Box::new(|l| l["versions"]["layer"] = json!("4.4")),
        ),
        (
            "old navigator",
            Box::new(|l| l["versions"]["navigator"] = json!("4.8.2")),
        ),
        (
            "attack as number",
            Box::new(|l| l["versions"]["attack"] = json!(18)),
        ),
        (
            "attack 17",
            Box::new(|l| l["versions"]["attack"] = json!("17")),
        ),
        (
            "one gradient color",
            Box::new(|l| l["gradient"]["colors"] = json!(["#ffffff"])),
        ),
        (
            "max <= min",
            Box::new(|l| l["gradient"]["maxValue"] = json!(0)),
        ),
        (
            "bad technique id",
            Box::new(|l| l["techniques"][0]["techniqueID"] = json!("T12")),
        ),
        (
            "v19 id exported",
            Box::new(|l| l["techniques"][0]["techniqueID"] = json!("T1685")),
        ),
        (
            "wrong tactic",
            Box::new(|l| l["techniques"][0]["tactic"] = json!("impact")),
        ),
        (
            "score as text",
            Box::new(|l| l["techniques"][0]["score"] = json!("3")),
        ),
        (
            "typo in key",
            Box::new(|l| l["hideDisabeld"] = json!(false)),
        ),
        (
            "bad layout",
            Box::new(|l| l["layout"]["layout"] = json!("wide")),
        ),
        (
            "legend without label",
            Box::new(|l| l["legendItems"][0] = json!({"color": "#ffffff"})),
        ),
        ("sorting 7", Box::new(|l| l["sorting"] = json!(7))),
    ];
    for (what, edit) in cases {
        assert!(!broken(edit.as_ref()).is_empty(), "{what} was not rejected");
    }
}
