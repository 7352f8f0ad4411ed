"""Unit tests of the round trip's normalizations (hand-written keys).

python3 -m unittest discover tools/diff/spl
"""

import unittest

import roundtrip as rt


class Normalizations(unittest.TestCase):
    def test_windash_expands_each_word_starting_dash(self):
        variants = rt.windash_variants(" -s -i cmd")
        self.assertIn(" -s /i cmd", variants)
        self.assertIn(" /s \u2013i cmd", variants)
        self.assertEqual(len(variants), 25)
        # A dash inside a word is not a parameter prefix.
        self.assertEqual(rt.windash_variants("a-b"), {"a-b"})

    def test_globs_are_classified_by_their_stars(self):
        self.assertEqual(rt.glob_key("*a*"), ("contains", "a"))
        self.assertEqual(rt.glob_key("a*"), ("startswith", "a"))
        self.assertEqual(rt.glob_key("*a"), ("endswith", "a"))
        self.assertEqual(rt.glob_key("*a*b*"), ("wildcard", "*a*b*"))
        self.assertEqual(rt.glob_key("*"), ("exists", ""))

    def test_question_mark_is_a_wildcard_in_sigma_globs_only(self):
        self.assertEqual(rt.normalize(["f|wildcard|*1?"], True), {"f|contains|1"})
        self.assertEqual(rt.normalize(["f|contains|\\\\?\\x"], True), {"f|contains|\\\\?\\x"})
        self.assertEqual(rt.normalize(["f|eq|?"], True), {"f|eq|?"})

    def test_a_literal_star_is_a_backslash_and_a_wildcard(self):
        self.assertEqual(rt.normalize(["f|eq|\\\\*\\ipc$"], True), {"f|wildcard|\\\\\\*\\ipc$"})
        self.assertEqual(rt.normalize(["f|eq|select *"], True), {"f|startswith|select \\"})

    def test_data_model_registry_and_condition_placeholders(self):
        spl = ["registry.key|endswith|\\run", "windows.process_creation:processCondition|eq|true"]
        self.assertEqual(rt.normalize(spl, False, "data_model"), {"registry.path|endswith|\\run"})
        # The plain output keeps both: there they are what the search says.
        self.assertEqual(len(rt.normalize(spl, False, "plain")), 2)

    def test_polarity_and_case_flag(self):
        self.assertEqual(rt.normalize(["!f|not_regex|(?i)a"], False), {"!f|regex|a"})
        self.assertEqual(rt.normalize(["!f|exists|"], False), {"f|not_exists|"})

    def test_encoded_forms_count_as_the_written_value(self):
        sigma = {"f|contains|abc"}
        spl = {"f|contains|ywjj", "f|contains|fiyw", "f|contains|hymm"}
        encoded = {"abc": {"ywjj", "fiyw", "hymm"}}
        self.assertIsNone(rt.classify(sigma, spl, [], encoded))
        self.assertIsNotNone(rt.classify(sigma, spl, []))


if __name__ == "__main__":
    unittest.main()
