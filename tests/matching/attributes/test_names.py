from homeward.matching.attributes.comparisons import NAME, reference_level
from homeward.matching.attributes.names import name_features, normalise, split_name

from .helpers import found, missing


def level_label(said: str | None, reported: str, aliases: list[str] | None = None) -> str:
    f = found(name=said) if said is not None else found()
    m = missing(name=reported, aliases=aliases or [])
    return NAME.levels[reference_level(NAME, f, m)].label


def test_the_same_characters_are_the_strongest_name_level():
    assert level_label("李明华", "李明华") == "same characters"


def test_traditional_characters_match_their_simplified_form_exactly():
    assert normalise("張偉國") == "张伟国"
    assert level_label("張偉國", "张伟国") == "same characters"


def test_a_homophone_written_by_a_caseworker_is_a_pinyin_match():
    assert level_label("李铭华", "李明华") == "same pinyin (homophone)"
    assert level_label("章伟", "张伟") == "same pinyin (homophone)"


def test_a_name_said_in_dialect_matches_up_to_dialect_confusions():
    assert level_label("臧伟", "张伟") == "same pinyin up to dialect (zh/z, n/l, -ng/-n, f/h)"
    assert level_label("牛敏", "刘明") == "same pinyin up to dialect (zh/z, n/l, -ng/-n, f/h)"


def test_swapped_order_and_a_reported_alias_are_recognised():
    assert level_label("明李", "李明") == "swapped order or an alias"
    assert level_label("王小明", "李明", aliases=["王小明"]) == "swapped order or an alias"


def test_a_given_name_said_without_surname_matches_the_given_name():
    assert level_label("明华", "李明华") == "same given name, surname different or not said"


def test_a_wrong_surname_with_the_right_given_name_is_a_given_name_match():
    assert level_label("王明华", "李明华") == "same given name, surname different or not said"


def test_one_wrong_given_character_keeps_the_surname_and_a_syllable():
    assert level_label("李明国", "李明华") == "same surname, given names share a syllable"


def test_a_surname_said_alone_matches_as_surname_only():
    assert split_name("李") == ("李", "")
    assert level_label("李", "李明华") == "same surname, one given name not said"


def test_a_wholly_different_given_name_is_surname_only():
    assert level_label("李强", "李明华") == "same surname only"


def test_different_names_fall_to_else_and_unknown_names_are_neutral():
    assert level_label("王强", "李明华") == "else"
    assert level_label(None, "李明华") == "unknown"


def test_familiar_prefixes_are_dropped():
    assert normalise("阿明") == "明"
    assert normalise("小李") == "李"


def test_surnames_are_read_with_surname_pronunciations():
    assert name_features("单田芳").surname_py == "shan"
    assert name_features("曾国藩").surname_py == "zeng"
    assert name_features("欧阳修").surname == "欧阳"


def test_a_form_of_address_is_the_surname_said_alone():
    assert normalise("王大爷") == "王"
    assert normalise("李阿姨") == "李"
    assert normalise("老张头") == "张"
    assert normalise("刘姐") == "刘"
    assert normalise("欧阳大妈") == "欧阳"
    assert level_label("王大爷", "王建国") == "same surname, one given name not said"
    assert level_label("王大爷", "李建国") == "else"


def test_names_that_only_look_like_forms_of_address_are_left_alone():
    assert normalise("王大") == "王大"  # 大 alone is not a form of address
    assert normalise("哥") == "哥"  # nothing left for a surname
    assert normalise("明哥") == "明哥"  # 明 is not a surname: a name, not an address
    assert normalise("王叔平") == "王叔平"  # 叔 inside a name
    assert level_label("王叔平", "王叔平") == "same characters"


def test_given_name_first_and_surname_only_records_are_recognised():
    assert level_label("刚许", "许刚") == "swapped order or an alias"
    assert level_label("许", "许刚") == "same surname, one given name not said"


def test_common_surname_readings_differ_from_the_words_reading():
    for name, reading in (("单雄信", "shan"), ("仇英", "qiu"), ("解缙", "xie"), ("区伟", "ou")):
        assert name_features(name).surname_py == reading
    # A homophone written for such a surname still matches by its surname reading.
    assert level_label("善雄信", "单雄信") == "same pinyin (homophone)"


def test_a_look_alike_character_copied_by_a_clerk_is_a_level_of_its_own():
    """形近字: pinyin cannot see them (季 ji for 李 li, 末 mo for 未 wei)."""
    look_alike = "look-alike characters (形近字)"
    assert level_label("季明", "李明") == look_alike  # in the surname
    assert level_label("王末", "王未") == look_alike  # in the given name
    assert level_label("沉军", "沈车") == look_alike  # two of them
    assert level_label("阁立", "阎立") == look_alike
    # Look-alikes that sound the same stay homophones; other characters are not look-alikes.
    assert level_label("候明", "侯明") == "same pinyin (homophone)"
    assert level_label("张明", "李明") != look_alike
    assert level_label("李明", "李明") == "same characters"


def test_each_character_belongs_to_one_look_alike_group_read_as_its_first():
    from homeward.matching.attributes.names import LOOKALIKE, LOOKALIKE_GROUPS, shape_key

    every = "".join(LOOKALIKE_GROUPS)
    assert len(every) == len(set(every))  # no character in two groups
    assert all(len(group) >= 2 for group in LOOKALIKE_GROUPS)
    assert all(LOOKALIKE[c] == group[0] for group in LOOKALIKE_GROUPS for c in group)
    assert shape_key("季明") == shape_key("李明") == "李明"
    assert name_features("季明").shape == name_features("李明").shape
    assert name_features("張明").shape == "张明"  # read after the simplified form
