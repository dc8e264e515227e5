from tests.conftest import SEED
from tests.examples import SEED_TITLE
from text.normalize import normalize_line, normalize_text, to_half_width


def test_full_width_digits_and_letters_become_half_width_but_chinese_punctuation_stays():
    assert to_half_width("２０２４年ＡＢＣ％，（一）") == "2024年ABC%，（一）"


def test_spaces_around_chinese_are_dropped_so_numbers_match():
    assert normalize_line("给予最高 50 万元支持，2024 年 5 月 9 日") == "给予最高50万元支持，2024年5月9日"


def test_page_breaks_inside_words_in_the_seed_are_joined():
    text = normalize_text(SEED.read_text(encoding="utf-8"))
    assert "鼓励高等院校、科研院所自由探索" in text
    assert "此外，河套还在全国率先开展跨境数据交易试点" in text
    assert "邀请专精特新领域企业家" in text


def test_real_paragraph_breaks_are_kept():
    text = normalize_text(SEED.read_text(encoding="utf-8"))
    paragraphs = text.split("\n\n")
    assert "尊敬的丁长义代表：" in paragraphs
    assert "福田区科技创新局" in paragraphs
    assert "2024年5月9日" in paragraphs
    assert paragraphs[0] == SEED_TITLE


def test_hard_wrapped_lines_are_joined_but_headings_are_not():
    raw = (
        "一、清溪河水质监测情况\n"
        "目前我局在清溪河干流设置了两个水质自动监测站，实现 24 小时连续监测，并每月开\n"
        "展一次人工采样比对。\n"
        "二、下一步工作\n"
        "继续推进。"
    )
    assert normalize_text(raw).split("\n\n") == [
        "一、清溪河水质监测情况",
        "目前我局在清溪河干流设置了两个水质自动监测站，实现24小时连续监测，并每月开展一次人工采样比对。",
        "二、下一步工作",
        "继续推进。",
    ]


def test_a_decimal_number_after_a_break_is_not_taken_for_a_numbered_heading():
    raw = "2022 年共举办银企对接活动 36 场，促成融资签约\n\n58.2 亿元。"
    assert normalize_text(raw) == "2022年共举办银企对接活动36场，促成融资签约58.2亿元。"


def test_units_written_in_latin_letters_are_the_same_figures_as_in_chinese():
    from text.numbers import chinese_units, numbers

    assert numbers("全长1.3km") == numbers("全长1.3公里") == {"1.3公里"}
    assert chinese_units("补助标准为187.5元/m3，面积500㎡，2km2") == "补助标准为187.5元/立方米，面积500平方米，2平方公里"
    for code in ("A3区km段", "3M公司", "100M宽带", "A3m", "c30混凝土", "http://m.gov.cn"):
        assert chinese_units(code) == code  # a code, a brand or an address holds no unit of measure
