//! The shipped data files parse and make sense.

use ruledex_logsource::{FieldMap, LogSources, Vocabulary};

#[test]
fn log_source_table_parses_and_has_no_ambiguous_names() {
    let sources = LogSources::embedded();
    assert!(sources.len() >= 40, "only {} log sources", sources.len());
    let problems = sources.check();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn field_map_parses_and_every_scope_resolves() {
    let map = FieldMap::embedded();
    assert!(map.len() >= 150, "only {} fields", map.len());
    let problems = map.check(LogSources::embedded());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_source_has_a_name_on_some_platform() {
    for source in LogSources::embedded().iter() {
        assert!(
            !source.platforms().is_empty(),
            "{} is named nowhere",
            source.id
        );
        assert!(!source.name.is_empty());
        assert!(
            source
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_'),
            "{}",
            source.id
        );
    }
}

#[test]
fn provider_operations_resolve_to_known_sources() {
    let sources = LogSources::embedded();
    let known = sources.known_operations("aws.cloudtrail");
    assert!(known.len() > 300, "{} CloudTrail operations", known.len());
    for (operation, provider) in known {
        assert_eq!(
            sources.infer_provider("aws.cloudtrail", operation),
            Some(provider)
        );
    }
}

#[test]
fn every_canonical_field_has_a_name_outside_ecs_or_is_an_ecs_field() {
    for field in FieldMap::embedded().iter() {
        let total: usize = Vocabulary::ALL.iter().map(|v| field.names(*v).len()).sum();
        assert!(total > 0, "{} has no names", field.id);
    }
}

#[test]
fn bad_data_is_reported_not_panicked() {
    let providers = "[[provider]]\nlogsource = \"x\"\nprovider = \"p\"\n";
    // Duplicate id.
    let dup = "[[source]]\nid = \"x\"\nname = \"X\"\ncategory = \"cloud\"\n[[source]]\nid = \"x\"\nname = \"Y\"\ncategory = \"cloud\"\n";
    let err = LogSources::from_toml(dup, providers).unwrap_err();
    assert!(err.message.contains("duplicate id"), "{err}");
    // A selector list on the wrong platform.
    let wrong = "[[source]]\nid = \"x\"\nname = \"X\"\ncategory = \"cloud\"\n[source.sentinel]\nindexes = [\"logs-*\"]\n";
    let err = LogSources::from_toml(wrong, providers).unwrap_err();
    assert!(err.message.contains("indexes"), "{err}");
    // Unknown key (typo) and not TOML at all.
    assert!(LogSources::from_toml("[[source]]\nid = \"x\"\nnmae = \"X\"\n", providers).is_err());
    assert!(LogSources::from_toml("{{{", providers).is_err());
    // Provider for an unknown source; the same operation under two providers.
    let one = "[[source]]\nid = \"x\"\nname = \"X\"\ncategory = \"cloud\"\n";
    assert!(
        LogSources::from_toml(one, "[[provider]]\nlogsource = \"y\"\nprovider = \"p\"\n").is_err()
    );
    let twice = "[[provider]]\nlogsource = \"x\"\nprovider = \"p\"\noperations = [\"A\"]\n[[provider]]\nlogsource = \"x\"\nprovider = \"q\"\noperations = [\"a\"]\n";
    assert!(LogSources::from_toml(one, twice)
        .unwrap_err()
        .message
        .contains("listed under"));
    // Fields: unknown group, duplicate id.
    assert!(FieldMap::from_toml(
        "[[field]]\nid = \"a\"\nsigma = [{ name = \"A\", logsources = [\"@nope\"] }]\n"
    )
    .is_err());
    assert!(FieldMap::from_toml("[[field]]\nid = \"a\"\n[[field]]\nid = \"a\"\n").is_err());
    // Domains: an empty one is an error, an unknown log source a problem.
    assert!(FieldMap::from_toml("[domains]\n\"a.\" = []\n[[field]]\nid = \"a.b\"\n").is_err());
    let unknown =
        FieldMap::from_toml("[domains]\n\"a.\" = [\"nowhere\"]\n[[field]]\nid = \"a.b\"\n")
            .unwrap();
    assert!(unknown.check(LogSources::embedded())[0].contains("nowhere"));
}

#[test]
fn conflicting_names_are_found_by_check() {
    let sources = LogSources::from_toml(
        "[[source]]\nid = \"a\"\nname = \"A\"\ncategory = \"cloud\"\n[source.sentinel]\ntables = [\"T\"]\n\
         [[source]]\nid = \"b\"\nname = \"B\"\ncategory = \"cloud\"\n[source.sentinel]\ntables = [\"T\"]\n",
        "provider = []\n",
    )
    .unwrap();
    assert_eq!(sources.check().len(), 1);
    let map = FieldMap::from_toml(
        "[[field]]\nid = \"a\"\nsigma = [\"X\"]\n[[field]]\nid = \"b\"\nsigma = [{ name = \"X\", logsources = [\"a\"] }, \"X\"]\n",
    )
    .unwrap();
    assert_eq!(map.check(&sources).len(), 1, "{:?}", map.check(&sources));
}
