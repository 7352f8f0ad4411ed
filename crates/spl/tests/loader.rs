//! The loaders over `fixtures/loader`: a small security_content source
//! (detections, macros, lookups), a rule collection and a `.spl` file.

use ruledex_ir::{
    resolve_positions, DependencyKind, Rule, RuleClass, RuleFormat, SourceContext, SourceFile,
};
use ruledex_spl::{CollectionFormat, PlainFormat, SavedSearchesFormat, SecurityContentFormat};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/loader")
}

/// `(relative path, text)` of every file under `root`, sorted.
fn files_of(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Load the security_content fixture source as ingest does: context from
/// the supporting files first, then every file the format recognizes.
fn load_source() -> Vec<(String, Vec<Rule>)> {
    let files = files_of(&dir().join("source"));
    let format = SecurityContentFormat;
    let supporting: Vec<SourceFile<'_>> = files
        .iter()
        .filter(|(p, _)| format.context_path(p))
        .map(|(p, t)| SourceFile::standalone(p, t))
        .collect();
    assert_eq!(supporting.len(), 5);
    let context: Option<SourceContext> = format.build_context(&supporting);
    let mut out = Vec::new();
    for (path, text) in &files {
        let file = SourceFile::standalone(path, text).with_context(context.as_deref());
        assert!(format.sniff(&file), "{path} not recognized");
        let mut rules = format.load(&file);
        resolve_positions(&mut rules, text);
        out.push((path.clone(), rules));
    }
    out
}

fn rule<'a>(loaded: &'a [(String, Vec<Rule>)], path: &str) -> &'a Rule {
    &loaded.iter().find(|(p, _)| p == path).expect("loaded").1[0]
}

#[test]
fn supporting_files_hold_no_rules() {
    let loaded = load_source();
    for (path, rules) in &loaded {
        if path.starts_with("macros/") || path.starts_with("lookups/") {
            assert!(rules.is_empty(), "{path}");
        } else {
            assert_eq!(rules.len(), 1, "{path}");
        }
    }
}

#[test]
fn a_macro_filter_through_tstats_shows_values_field_and_macro() {
    let loaded = load_source();
    let r = rule(&loaded, "detections/endpoint/certutil_download.yml");
    assert!(r.parsed(), "{:?}", r.diagnostics);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.title, "Certutil Download With URLCache");
    assert_eq!(r.kind.as_deref(), Some("TTP"));
    assert_eq!(r.attack[0].id.as_deref(), Some("T1105"));
    let names: Vec<(&str, String, Option<&str>)> = r
        .indicators
        .iter()
        .map(|i| (i.field.as_str(), i.kind.name(), i.via.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            (
                "Processes.process_name",
                "eq".to_string(),
                Some("process_certutil")
            ),
            (
                "Processes.original_file_name",
                "eq".to_string(),
                Some("process_certutil")
            ),
            ("Processes.process", "contains".to_string(), None),
            ("Processes.process", "contains".to_string(), None),
        ]
    );
    assert_eq!(r.indicators[0].values[0].as_str(), Some("certutil.exe"));
    assert_eq!(r.indicators[0].case_sensitive, Some(false));
    // The indicator points at the macro call in the file.
    let span = r.indicators[0].span.expect("placed");
    assert_eq!(span.slice(&r.body), "`process_certutil`");
    // The stage shows the macro as written and its expansion.
    let tstats = &r.stages[0];
    assert!(tstats
        .text
        .starts_with("| tstats `security_content_summariesonly`"));
    assert!(tstats.uses.contains(&"process_certutil".to_string()));
    let expansions: Vec<&str> = tstats
        .subqueries
        .iter()
        .flatten()
        .filter(|s| s.kind == "macro")
        .map(|s| s.name.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        expansions,
        ["security_content_summariesonly", "process_certutil"]
    );
    // Output names after drop_dm_object_name are short.
    let outputs: Vec<&str> = r.outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        outputs,
        [
            "count",
            "firstTime",
            "lastTime",
            "dest",
            "user",
            "process_name",
            "process",
            "description"
        ]
    );
    // The empty filter macro is an exclusion point, not a stage.
    assert_eq!(r.stages.len(), 4);
    let deps: Vec<(DependencyKind, &str)> = r
        .dependencies
        .iter()
        .map(|d| (d.kind, d.name.as_str()))
        .collect();
    assert!(deps.contains(&(
        DependencyKind::Macro,
        "certutil_download_with_urlcache_filter"
    )));
    assert!(deps.contains(&(DependencyKind::Lookup, "lolbas_file_path")));
    let sources: Vec<&str> = r.data_sources.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        sources,
        [
            "Sysmon EventID 1",
            "Windows Event Log Security 4688",
            "Endpoint.Processes"
        ]
    );
}

#[test]
fn data_macros_classes_and_errors() {
    let loaded = load_source();
    let hunting = rule(&loaded, "detections/endpoint/sysmon_hunting.yml");
    assert!(hunting.has_class(RuleClass::Hunting));
    assert!(hunting.data_sources.iter().any(|d| d.name == "sysmon"));
    assert!(hunting
        .data_sources
        .iter()
        .any(|d| d.name == "XmlWinEventLog"));
    // `where count < 3` is a threshold on an aggregate, not an indicator.
    assert!(hunting.indicators.iter().all(|i| i.field != "count"));
    let not_in = hunting
        .indicators
        .iter()
        .find(|i| i.field == "ParentImage")
        .expect("ParentImage");
    assert_eq!(
        (not_in.kind.name(), not_in.negated, not_in.exclusion),
        ("endswith".to_string(), true, true)
    );

    let old = rule(&loaded, "detections/deprecated/old_correlation.yml");
    assert!(old.has_class(RuleClass::Deprecated) && old.has_class(RuleClass::Correlation));
    // Undefined filter macro: a dependency, no warning.
    assert!(old.diagnostics.is_empty(), "{:?}", old.diagnostics);

    let broken = rule(&loaded, "detections/endpoint/broken_search.yml");
    assert!(!broken.parsed());
    let d = broken
        .diagnostics
        .iter()
        .find(|d| d.code == "SPL005")
        .expect("SPL005");
    // Line and column in the YAML file, not in the search.
    assert_eq!((d.line, d.column), (Some(9), Some(31)));
    // On a later line of the folded scalar too.
    let unknown = broken.stages.last().expect("stages");
    assert_eq!(unknown.span.slice(&broken.body), "| stats count by dest");
}

#[test]
fn spec_v2_detections_read_the_nested_search() {
    let loaded = load_source();
    let legacy = rule(&loaded, "detections/legacy/spec_v2_correlation.yml");
    assert!(legacy.parsed(), "{:?}", legacy.diagnostics);
    let query = legacy.query.as_ref().expect("query");
    assert!(query.text.starts_with("sourcetype=fixture:auth"));
    assert_eq!(legacy.stages.len(), 3);
    assert_eq!(legacy.title, "Legacy layout with a nested search");
}

#[test]
fn collections_read_splunk_records_and_list_the_others() {
    let path = dir().join("collection.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = SourceFile::standalone("collection.yml", &text);
    assert!(CollectionFormat.sniff(&file));
    assert!(!SecurityContentFormat.sniff(&file));
    let mut rules = CollectionFormat.load(&file);
    resolve_positions(&mut rules, &text);
    assert_eq!(rules.len(), 2);
    assert!(
        rules[0].parsed() && rules[0].query.is_some(),
        "{:?}",
        rules[0].diagnostics
    );
    assert_eq!(rules[0].attack[0].id.as_deref(), Some("T1059.001"));
    assert!(rules[0]
        .indicators
        .iter()
        .any(|i| i.field == "CommandLine" && i.kind.name() == "contains"));
    assert!(rules[1].query.is_none());
    assert_eq!(rules[1].diagnostics[0].code, "SPL203");
}

#[test]
fn plain_spl_files_and_bad_yaml() {
    let text = std::fs::read_to_string(dir().join("standalone.spl")).unwrap();
    let file = SourceFile::standalone("standalone.spl", &text);
    assert!(PlainFormat.sniff(&file));
    let rules = PlainFormat.load(&file);
    assert!(rules[0].parsed());
    assert_eq!(rules[0].stages.len(), 2);
    assert!(rules[0].data_sources.iter().any(|d| d.name == "squid"));

    let bad = "name: x\nid: y\ntype: TTP\nsearch: 'a\n";
    let rules = SecurityContentFormat.load(&SourceFile::standalone("detections/x.yml", bad));
    assert_eq!(rules[0].diagnostics[0].code, "SPL200");
    let empty = "name: x\ntype: TTP\nsearch: ''\n";
    let rules = SecurityContentFormat.load(&SourceFile::standalone("detections/x.yml", empty));
    let codes: Vec<&str> = rules[0]
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["SPL202", "SPL201"]);
    let empty = SourceFile::standalone("e.spl", "  \n");
    assert_eq!(PlainFormat.load(&empty)[0].diagnostics[0].code, "SPL201");
    let only_comments = SourceFile::standalone("c.spl", "# a note\n# another\n");
    let codes: Vec<String> = PlainFormat.load(&only_comments)[0]
        .diagnostics
        .iter()
        .map(|d| d.code.clone())
        .collect();
    assert_eq!(codes, ["SPL204", "SPL201"]);
}

/// A header of `#` or `//` lines is a comment with a warning, not search
/// terms; positions still point into the file.
#[test]
fn a_comment_header_is_not_part_of_the_search() {
    let text = std::fs::read_to_string(dir().join("commented_header.spl")).unwrap();
    let file = SourceFile::standalone("commented_header.spl", &text);
    let mut rules = PlainFormat.load(&file);
    resolve_positions(&mut rules, &text);
    let rule = &rules[0];
    assert!(rule.parsed(), "{:#?}", rule.diagnostics);
    let warning = &rule.diagnostics[0];
    assert_eq!((warning.code.as_str(), warning.line), ("SPL204", Some(1)));
    let fields: Vec<&str> = rule.indicators.iter().map(|i| i.field.as_str()).collect();
    assert!(
        !fields.contains(&"*"),
        "no comment word is a search term: {fields:?}"
    );
    let image = rule
        .indicators
        .iter()
        .find(|i| i.field == "process_name")
        .unwrap();
    assert_eq!(
        image.span.unwrap().slice(&text),
        "process_name=certutil.exe"
    );
    assert_eq!(rule.query.as_ref().unwrap().line, 5);
}

#[test]
fn other_formats_are_not_taken() {
    let sigma = "title: t\nlogsource:\n  product: windows\ndetection:\n  sel:\n    a: b\n  condition: sel\n";
    let sentinel = "id: x\nname: y\nquery: |\n  SecurityEvent | take 1\n";
    for (path, text) in [("a.yml", sigma), ("b.yaml", sentinel)] {
        let f = SourceFile::standalone(path, text);
        assert!(
            !SecurityContentFormat.sniff(&f) && !CollectionFormat.sniff(&f),
            "{path}"
        );
    }
}

/// A Splunk app: `savedsearches.conf` stanzas with a `search` are rules
/// (the `default` stanza and stanzas without a search are not), their
/// macros come from the app's `macros.conf`, and every position points
/// into the `.conf` file, continuation lines included.
#[test]
fn an_app_saved_searches_load_with_the_app_macros() {
    let files = files_of(&dir().join("app"));
    let format = SavedSearchesFormat;
    let supporting: Vec<SourceFile<'_>> = files
        .iter()
        .filter(|(p, _)| format.context_path(p))
        .map(|(p, t)| SourceFile::standalone(p, t))
        .collect();
    assert_eq!(supporting.len(), 1, "macros.conf");
    let context: Option<SourceContext> = format.build_context(&supporting);
    let (path, text) = files
        .iter()
        .find(|(p, _)| p.ends_with("savedsearches.conf"))
        .unwrap();
    let macros = files
        .iter()
        .find(|(p, _)| p.ends_with("macros.conf"))
        .unwrap();
    assert!(format.sniff(&SourceFile::standalone(&macros.0, &macros.1)));
    assert!(format
        .load(&SourceFile::standalone(&macros.0, &macros.1))
        .is_empty());
    let file = SourceFile::standalone(path, text).with_context(context.as_deref());
    assert!(format.sniff(&file));
    let mut rules = format.load(&file);
    resolve_positions(&mut rules, text);
    let titles: Vec<&str> = rules.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Certutil URL Cache Download",
            "Report - Logons by Host",
            "Broken Search"
        ]
    );

    let certutil = &rules[0];
    assert!(certutil.parsed(), "{:#?}", certutil.diagnostics);
    assert_eq!(
        certutil.id,
        "default/savedsearches.conf#Endpoint - Certutil URL Cache Download - Rule"
    );
    let attack: Vec<&str> = certutil
        .attack
        .iter()
        .filter_map(|a| a.id.as_deref())
        .collect();
    assert_eq!(attack, ["T1105", "TA0011"]);
    assert_eq!(certutil.properties["cron_schedule"], "*/15 * * * *");
    // The macro of macros.conf expanded, and the indicator it gave says so.
    let image = certutil
        .indicators
        .iter()
        .find(|i| i.field == "Processes.process_name")
        .expect("certutil_image expanded");
    assert_eq!(image.via.as_deref(), Some("certutil_image"));
    // Positions on continuation lines point at the text in the file.
    let process = certutil
        .indicators
        .iter()
        .find(|i| i.field == "Processes.process")
        .unwrap();
    let span = process.span.expect("a position");
    assert_eq!(span.slice(text), r#"Processes.process="*-urlcache*""#);
    let outputs: Vec<&str> = certutil.outputs.iter().map(|o| o.name.as_str()).collect();
    assert!(outputs.contains(&"dest"), "{outputs:?}");

    assert!(rules[1].parsed());
    let broken = &rules[2];
    assert!(!broken.parsed());
    let error = broken.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(
        text.lines().nth(error.line.unwrap() as usize - 1).unwrap(),
        "search = index=main | where (x > 1"
    );
}
