//! Related rules on a small catalog written for this test: a Sigma rule and
//! a KQL query for the same certutil download find each other first, with
//! evidence in both rules' words; a rule sharing only the executable ranks
//! below; one sharing only the log source is counted apart; a registry rule
//! relates to the registry query in the other language and to nothing else;
//! a query naming no log source is read on the one its fields point to.

use ruledex_catalog::{Catalog, Formats, RelatedRank, SourceRoot};
use std::path::Path;

fn catalog() -> Catalog {
    let formats = Formats::new()
        .with(ruledex_sigma::SigmaFormat)
        .with(ruledex_kql::PlainFormat)
        .with(ruledex_elastic::plain::PlainQueryFormat)
        .with(ruledex_spl::PlainFormat);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/related");
    Catalog::build(&[SourceRoot::from_path(root)], &formats, &|_| {})
}

fn position(catalog: &Catalog, file: &str) -> usize {
    catalog
        .entries()
        .iter()
        .position(|e| e.rule.provenance.path == file)
        .unwrap_or_else(|| panic!("{file} is not in the catalog"))
}

fn file(catalog: &Catalog, position: usize) -> &str {
    &catalog.entries()[position].rule.provenance.path
}

#[test]
fn the_same_download_in_another_language_ranks_first_with_evidence() {
    let catalog = catalog();
    let me = position(&catalog, "certutil_urlcache.yml");
    let related = catalog.related(me);
    let ranked: Vec<&str> = related
        .behaviour
        .iter()
        .map(|r| file(&catalog, r.position))
        .collect();
    assert_eq!(ranked, ["certutil_download.kql", "certutil_decode.yml"]);
    let first = &related.behaviour[0];
    let second = &related.behaviour[1];
    assert!(
        first.score > second.score,
        "{} > {}",
        first.score,
        second.score
    );
    assert_eq!(first.rank, RelatedRank::SharedBehaviour);

    let evidence = catalog.evidence(me, first);
    let lines: Vec<String> = evidence
        .iter()
        .map(|e| format!("{} | {} | {}", e.key, e.here, e.there))
        .collect();
    assert_eq!(
        lines,
        [
            r#"command line contains -urlcache | CommandLine contains "-urlcache" | ProcessCommandLine has_any "/urlcache""#,
            r#"process certutil.exe | Image endswith "\certutil.exe" | FileName =~ "certutil.exe""#,
        ]
    );
    assert_eq!(
        catalog.related_reason(me, first),
        "both match command line contains -urlcache, process certutil.exe"
    );
    // The decoder shares the executable only.
    let shared: Vec<String> = catalog
        .evidence(me, second)
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(shared, ["process certutil.exe"]);

    // Whoami shares nothing but the log source: counted apart, as is every
    // other process creation rule that shares nothing finer, other
    // languages first.
    let group: Vec<&str> = related
        .same_logsource
        .iter()
        .map(|&p| file(&catalog, p))
        .collect();
    assert!(group.contains(&"whoami.yml"), "{group:?}");
    for &p in &related.same_logsource {
        assert!(catalog.entries()[p]
            .logsources
            .contains(&"windows.process_creation".to_string()));
        assert!(related.behaviour.iter().all(|r| r.position != p));
    }
    let languages: Vec<bool> = group.iter().map(|f| f.ends_with(".yml")).collect();
    assert!(languages.windows(2).all(|w| w[0] <= w[1]), "{group:?}");
    // Its evidence is that log source, as each rule names it.
    let whoami = related
        .all()
        .find(|r| file(&catalog, r.position) == "whoami.yml")
        .expect("listed");
    assert_eq!(whoami.rank, RelatedRank::SameLogSource);
    let evidence = catalog.evidence(me, &whoami);
    assert_eq!(
        evidence
            .iter()
            .map(|e| (e.key.as_str(), e.here.as_str(), e.there.as_str()))
            .collect::<Vec<_>>(),
        [(
            "log source windows.process_creation",
            "windows/process_creation",
            "windows/process_creation"
        )]
    );
    // Nothing on other log sources.
    assert!(related
        .all()
        .all(|r| !file(&catalog, r.position).starts_with("run_key")));
}

#[test]
fn exclusions_are_keys_that_weigh_less() {
    let catalog = catalog();
    let me = position(&catalog, "certutil_urlcache.yml");
    let keys = catalog.related_index().rule_keys(me);
    let excluded: Vec<String> = keys
        .iter()
        .filter(|k| k.exclusion)
        .map(|k| k.key.to_string())
        .collect();
    assert_eq!(excluded, ["parent process sccm_agent.exe"]);
    // The windash forms of the flag are one key.
    let flags = keys
        .iter()
        .filter(|k| k.key.to_string() == "command line contains -urlcache")
        .count();
    assert_eq!(flags, 1);
}

#[test]
fn registry_paths_meet_whatever_their_hive_spelling() {
    let catalog = catalog();
    let me = position(&catalog, "run_key.kql");
    let related = catalog.related(me);
    let ranked: Vec<&str> = related
        .behaviour
        .iter()
        .map(|r| file(&catalog, r.position))
        .collect();
    assert_eq!(ranked, ["run_key.yml"]);
    let evidence = catalog.evidence(me, &related.behaviour[0]);
    assert_eq!(
        evidence[0].key,
        r"registry key contains software\microsoft\windows\currentversion\run"
    );
    assert_eq!(
        evidence[0].there,
        r#"TargetObject contains "\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\""#
    );
}

#[test]
fn a_rule_is_never_related_to_itself_and_lists_are_symmetric() {
    let catalog = catalog();
    for me in 0..catalog.entries().len() {
        let related = catalog.related(me);
        assert!(related.all().all(|r| r.position != me));
        // Copies folded into an entry are in the list too.
        let listed = related
            .behaviour
            .iter()
            .flat_map(|r| std::iter::once(r.position).chain(r.copies.iter().copied()));
        for other in listed {
            let back = catalog.related(other);
            assert!(
                back.behaviour
                    .iter()
                    .any(|b| b.position == me || b.copies.contains(&me)),
                "{} → {} but not back",
                file(&catalog, me),
                file(&catalog, other)
            );
        }
    }
}

/// A Lucene query names no log source, and `InterfaceUuid` means something
/// only on the RPC Firewall's events: the catalog reads the query on the
/// log source its fields are used on by the rules that name one, so it
/// meets the Sigma rule on the same interface call first, and the rule on
/// another interface of the same log source after it.
#[test]
fn a_query_without_a_log_source_is_read_on_the_one_its_fields_point_to() {
    let catalog = catalog();
    let me = position(&catalog, "replication_call.lucene");
    assert!(
        catalog.entries()[me].logsources.is_empty(),
        "the query names none"
    );
    let related = catalog.related(me);
    let ranked: Vec<&str> = related
        .behaviour
        .iter()
        .map(|r| file(&catalog, r.position))
        .collect();
    assert_eq!(ranked[0], "rpc_drsuapi_sync.yml", "{ranked:?}");
    assert!(ranked.contains(&"rpc_task_scheduler.yml"), "{ranked:?}");
    let evidence = catalog.evidence(me, &related.behaviour[0]);
    assert!(
        evidence.iter().any(|e| e.here.contains("InterfaceUuid")
            && e.there.contains("e3514235-4b06-11d1-ab04-00c04fc2dcd2")),
        "{evidence:#?}"
    );
}

/// The strongest rule related to the rule in file `name`, with that rule's
/// position.
fn first_related(catalog: &Catalog, name: &str) -> (usize, ruledex_catalog::Related) {
    let me = position(catalog, name);
    let related = catalog.related(me);
    let first = related.behaviour.first().expect("a ranked rule").clone();
    (me, first)
}

/// The files ranked in `file`'s behaviour list, strongest first.
fn ranked_for(catalog: &Catalog, name: &str) -> Vec<String> {
    ranked_with(catalog, name, |_| ())
        .into_iter()
        .map(|(file, ())| file.to_string())
        .collect()
}

/// The entries of `name`'s behaviour list, strongest first: each file with
/// what `what` reads from its entry.
fn ranked_with<'c, T>(
    catalog: &'c Catalog,
    name: &str,
    what: impl Fn(&ruledex_catalog::Related) -> T,
) -> Vec<(&'c str, T)> {
    let me = position(catalog, name);
    catalog
        .related(me)
        .behaviour
        .iter()
        .map(|r| (file(catalog, r.position), what(r)))
        .collect()
}

#[test]
fn keyword_searches_meet_in_any_language() {
    // Sigma `keywords` and bare Lucene terms both search the whole event:
    // one key per keyword, whatever the log source or the operator.
    let catalog = catalog();
    assert_eq!(
        ranked_for(&catalog, "keyword_firewall_stop.lucene"),
        ["keyword_firewall_stop.yml"]
    );
    assert_eq!(
        ranked_for(&catalog, "keyword_firewall_stop.yml"),
        ["keyword_firewall_stop.lucene"]
    );
}

#[test]
fn an_event_log_channel_filter_names_the_log_source() {
    // `winlog.channel` says which Windows log an Elastic query reads, as the
    // Sigma `service` does: the event id and the registry value meet.
    let catalog = catalog();
    let me = position(&catalog, "defender_exclusion.lucene");
    assert_eq!(catalog.entries()[me].logsources, ["windows.defender"]);
    assert_eq!(
        ranked_for(&catalog, "defender_exclusion.lucene")
            .first()
            .map(String::as_str),
        Some("defender_exclusion.yml")
    );
}

#[test]
fn an_event_id_on_another_channel_meets_the_sigma_service_of_that_channel() {
    // The firewall's event ids mean nothing without their channel: the
    // query filters the channel, the Sigma rule names it by its `service`.
    let catalog = catalog();
    let me = position(&catalog, "firewall_reset.esql");
    assert_eq!(catalog.entries()[me].logsources, ["windows.event_log"]);
    let related = catalog.related(me);
    let first = related.behaviour.first().expect("a ranked rule");
    assert_eq!(file(&catalog, first.position), "firewall_reset.yml");
    assert_eq!(first.rank, RelatedRank::SameOperation);
    let keys: Vec<String> = catalog
        .evidence(me, first)
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert!(keys.iter().any(|k| k.ends_with("2032")), "{keys:?}");
}

#[test]
fn a_sysmon_event_without_a_category_meets_its_channel_however_spelled() {
    // Sysmon's event 28 has no Sigma category: the Sigma rule names the
    // `sysmon` service, the query the channel `Microsoft-Windows-Sysmon/
    // Operational`. Both are Sysmon's event 28, and nothing else's.
    let catalog = catalog();
    let (_, first) = first_related(&catalog, "sysmon_shredding.lucene");
    assert_eq!(file(&catalog, first.position), "sysmon_shredding.yml");
    assert_eq!(first.rank, RelatedRank::SameOperation);
    assert_eq!(
        ranked_for(&catalog, "sysmon_shredding.yml"),
        ["sysmon_shredding.lucene"]
    );
}

#[test]
fn a_key_excluded_here_and_selected_there_weighs_less_than_one_excluded_on_both() {
    // Both Sigma rules watch the same driver file; one for its own tool
    // writing it, the other for anything else. The query excludes the tool,
    // as the second rule does: that one ranks first, the first after it.
    let catalog = catalog();
    assert_eq!(
        ranked_for(&catalog, "probe_driver_by_other.kql"),
        ["probe_driver_by_other.yml", "probe_driver_by_tool.yml"]
    );
    let me = position(&catalog, "probe_driver_by_other.kql");
    let related = catalog.related(me);
    assert!(
        related.behaviour[0].score > related.behaviour[1].score + 0.1,
        "{} vs {}",
        related.behaviour[0].score,
        related.behaviour[1].score
    );
}

#[test]
fn a_field_written_on_several_log_sources_reads_the_query_on_each() {
    // `operationName` and `labOutcome` are written by two activity-log rules
    // and one audit-log rule: the query naming no log source is read on
    // both, so its operation meets the audit-log rule it was written from.
    let catalog = catalog();
    let me = position(&catalog, "app_owner_removed.lucene");
    assert!(catalog.entries()[me].logsources.is_empty());
    let related = catalog.related(me);
    let first = related.behaviour.first().expect("a ranked rule");
    assert_eq!(
        file(&catalog, first.position),
        "azure_app_owner_removed.yml"
    );
    assert_eq!(first.rank, RelatedRank::SameOperation);
    // `labOutcome`, a field the tables do not know, is read on both log
    // sources too, so the audit-log rule is the same detection.
    assert!(first.same_detection, "{first:?}");
}

#[test]
fn an_event_field_elastic_keeps_under_winlog_event_data_is_the_sigma_field() {
    // `winlog.event_data.TargetName` is the event's `TargetName`: the query
    // meets the rule on the same vault target before the one on another.
    let catalog = catalog();
    assert_eq!(
        ranked_for(&catalog, "vault_read.lucene"),
        ["vault_read.yml", "vault_read_other.yml"]
    );
    let me = position(&catalog, "vault_read.lucene");
    let related = catalog.related(me);
    let evidence = catalog.evidence(me, &related.behaviour[0]);
    assert!(
        evidence
            .iter()
            .any(|e| e.here.starts_with("winlog.event_data.TargetName")
                && e.there.starts_with("TargetName")),
        "{evidence:#?}"
    );
}

#[test]
fn an_application_log_event_id_is_keyed_with_its_provider_in_every_language() {
    // Event 524 of the Application log means something only with its
    // provider: Sigma's `Provider_Name` and ECS `winlog.provider_name`.
    let catalog = catalog();
    let me = position(&catalog, "backup_catalog_removed.lucene");
    let actions: Vec<_> = catalog.entries()[me]
        .actions
        .iter()
        .filter_map(|a| a.operation.clone())
        .collect();
    assert_eq!(actions, ["microsoft-windows-backup:524"]);
    let related = catalog.related(me);
    let first = related.behaviour.first().expect("a ranked rule");
    assert_eq!(file(&catalog, first.position), "backup_catalog_removed.yml");
    assert_eq!(first.rank, RelatedRank::SameOperation);
}

#[test]
fn an_asim_network_session_names_the_process_at_either_end() {
    let catalog = catalog();
    assert_eq!(
        ranked_for(&catalog, "beacon_tool_connection.kql"),
        ["beacon_tool_connection.yml"]
    );
}

#[test]
fn a_sigma_file_access_rule_names_the_whole_path_file_name() {
    assert_eq!(
        ranked_for(&catalog(), "answer_file_read.lucene"),
        ["answer_file_read.yml"]
    );
}

#[test]
fn a_query_read_on_log_sources_of_two_kinds_meets_either_at_full_weight() {
    // `cs-method` and `c-uri` are written on proxy and web server logs
    // (web server rules more often): the query is read on both, and its
    // keys are on neither alone, so the proxy rule with the same keys is
    // not "on another log source".
    let catalog = catalog();
    let (_, first) = first_related(&catalog, "panel_export.lucene");
    assert_eq!(file(&catalog, first.position), "panel_export_proxy.yml");
    assert!(first.score > 0.8, "{}", first.score);
}

#[test]
fn asim_process_version_information_is_the_sigma_version_information() {
    assert_eq!(
        ranked_for(&catalog(), "tool_description.kql"),
        ["tool_description.yml"]
    );
}

#[test]
fn the_acting_process_of_an_asim_process_creation_is_the_parent() {
    let catalog = catalog();
    let me = position(&catalog, "agent_spawns_shell.kql");
    let keys: Vec<String> = catalog
        .related_index()
        .rule_keys(me)
        .iter()
        .map(|k| k.key.to_string())
        .collect();
    assert_eq!(keys, ["parent process labagent.exe", "process cmd.exe"]);
    assert_eq!(
        ranked_for(&catalog, "agent_spawns_shell.kql"),
        ["agent_spawns_shell.yml"]
    );
}

#[test]
fn a_channel_named_by_splunk_source_is_the_sigma_service_channel() {
    // `source="WinEventLog:<channel>"` names the channel of the event ids,
    // whether the channel is known by name or not.
    let catalog = catalog();
    for query in ["code_integrity_block.spl", "dns_server_zone.spl"] {
        let (_, first) = first_related(&catalog, query);
        assert_eq!(
            file(&catalog, first.position),
            query.replace(".spl", ".yml"),
            "{query}"
        );
        assert_eq!(first.rank, RelatedRank::SameOperation, "{query}");
    }
}

#[test]
fn a_query_on_every_index_is_read_on_the_log_source_its_fields_point_to() {
    // `from *` names every log source with an index pattern, and the RPC
    // Firewall has none: the fields choose among all log sources.
    let catalog = catalog();
    let me = position(&catalog, "replication_call.esql");
    assert!(catalog.entries()[me].logsources.len() > 4);
    let ranked = ranked_for(&catalog, "replication_call.esql");
    assert_eq!(
        ranked.first().map(String::as_str),
        Some("rpc_drsuapi_sync.yml"),
        "{ranked:?}"
    );
}

#[test]
fn the_same_detection_comes_first_the_documented_original_before_its_copies() {
    // The query, an undocumented Sigma copy and the documented original
    // have the same keys: both rules are the same detection as the query,
    // and the original (ATT&CK, author, description, references) leads.
    let catalog = catalog();
    let same = ranked_with(&catalog, "staged_dropper.lucene", |r| r.same_detection);
    assert_eq!(
        same,
        [("staged_dropper.yml", true), ("dropper_copy.yml", true)]
    );
}

#[test]
fn excluding_a_null_field_requires_it_like_exists_does() {
    // Sigma's `not (Image: null)` and Lucene's `NOT (NOT _exists_:…)` both
    // require the process image: one key, selected by both.
    let catalog = catalog();
    let (me, first) = first_related(&catalog, "helper_child_present.lucene");
    assert_eq!(file(&catalog, first.position), "helper_child_present.yml");
    assert!(first.same_detection);
    let evidence = catalog.evidence(me, &first);
    let present = evidence
        .iter()
        .find(|e| e.key == "process present")
        .expect("the presence key is shared");
    assert!(
        !present.here_excludes && !present.there_excludes,
        "{present:?}"
    );
}

#[test]
fn undocumented_copies_of_one_detection_take_one_place_in_the_list() {
    // Four queries (KQL, Lucene, EQL, ES|QL) match the same relay tunnel;
    // the documented Sigma rule adds a parent. Asked from the KQL query,
    // the three other queries are the same detection and say nothing about
    // themselves: one entry, the two others folded into it as copies. The
    // documented rule comes next, not after a wall of copies.
    let catalog = catalog();
    let listed = ranked_with(&catalog, "relay_tunnel.kql", |r| {
        let mut copies: Vec<&str> = r.copies.iter().map(|&p| file(&catalog, p)).collect();
        copies.sort_unstable();
        copies
    });
    let related = catalog.related(position(&catalog, "relay_tunnel.kql"));
    assert_eq!(listed.len(), 2, "{listed:?}");
    let (first, copies) = &listed[0];
    let mut copies_and_first = copies.clone();
    copies_and_first.push(first);
    copies_and_first.sort_unstable();
    assert_eq!(
        copies_and_first,
        [
            "relay_tunnel.eql",
            "relay_tunnel.esql",
            "relay_tunnel.lucene"
        ]
    );
    assert!(related.behaviour[0].same_detection);
    assert_eq!(listed[1], ("relay_tunnel.yml", vec![]));
    assert!(!related.behaviour[1].same_detection);
    // The list still counts every rule.
    assert_eq!(related.behaviour_rules(), 4);
    assert_eq!(related.behaviour.len(), 2);
}

#[test]
fn a_documented_rule_is_never_folded_into_another() {
    // Asked from the documented rule, its four copies differ from it by the
    // parent but not from each other: one entry. From the Lucene query, the
    // documented original and the undocumented Sigma copy of the dropper
    // both stay (only undocumented rules fold).
    let catalog = catalog();
    let me = position(&catalog, "relay_tunnel.yml");
    let related = catalog.related(me);
    assert_eq!(related.behaviour.len(), 1, "{:?}", related.behaviour);
    assert_eq!(related.behaviour[0].copies.len(), 3);
    let me = position(&catalog, "staged_dropper.lucene");
    let related = catalog.related(me);
    assert!(related.behaviour.iter().all(|r| r.copies.is_empty()));
}

#[test]
fn at_equal_scores_the_documented_rule_comes_before_a_bare_query() {
    // Both rules share only the document extension with the writer rule,
    // equally. The bare KQL query is in another language and its title
    // sorts first, yet the documented Sigma rule leads.
    let catalog = catalog();
    let ranked = ranked_with(&catalog, "labpdf_writer.yml", |r| r.score);
    assert_eq!(ranked.len(), 2, "{ranked:?}");
    assert_eq!(ranked[0].0, "labdoc_written.yml", "{ranked:?}");
    assert_eq!(ranked[1].0, "labdoc_extension.kql", "{ranked:?}");
    assert!((ranked[0].1 - ranked[1].1).abs() < 1e-9, "{ranked:?}");
}
