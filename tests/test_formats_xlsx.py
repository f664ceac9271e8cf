"""Excel and CSV plans: the template, the reader's leniency and refusals, cells in diagnostics,
and round trips between YAML, JSON and XLSX."""
import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from ag18_rules.engine import Policy
from ag18_rules.errors import InputError
from ag18_rules.formats import read_csv_dir, read_xlsx, write_template, write_xlsx
from ag18_rules.formats.layout import SHEETS
from ag18_rules.plan import load_plan, plan_to_dict
from ag18_rules.testing import plans
from cli_run import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def problems(path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_plan(path)
    return [d.render("en", caret=False) for d in exc.value.diagnostics]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "mau.xlsx"
    write_template(path)
    return path


def filled(template: Path, tmp_path: Path, name="plan.xlsx", **sheets) -> Path:
    """The template with the plan sheet's values (``plan``) and rows appended per sheet."""
    book = openpyxl.load_workbook(template)
    plan = sheets.pop("plan", {"B2": "ke-hoach-1", "B6": "01/07/2021"})
    for cell, value in plan.items():
        book["Đề án"][cell] = value
    for sheet, rows in sheets.items():
        ws = book[sheet]
        for row in rows:
            ws.append(row)
    path = tmp_path / name
    book.save(path)
    return path


# --------------------------------------------------------------------------- the template


def test_template_has_every_sheet_drop_downs_notes_frozen_headers_and_a_guide(template):
    book = openpyxl.load_workbook(template)
    assert book.sheetnames[:2] == ["Đề án", "Tổ chức trước"]
    assert {s.vi for s in SHEETS} <= set(book.sheetnames)
    assert "Hướng dẫn" in book.sheetnames and book["_lists"].sheet_state == "hidden"
    orgs = book["Tổ chức sau"]
    assert orgs.freeze_panes == "B2"
    assert orgs["C1"].value == "Loại" and orgs["C1"].comment.text.startswith("type\n")
    lists = [dv for dv in orgs.data_validations.dataValidation if dv.type == "list"]
    assert any("C2" in str(dv.sqref) for dv in lists)  # the type column has its drop-down
    assert orgs["C2"].value == "Phòng, ban, văn phòng nội bộ"  # the example row, in Vietnamese
    guide = [row[2] for row in book["Hướng dẫn"].iter_rows(values_only=True)]
    assert "staff.civil_servants" in guide and "posts.role" in guide


def test_english_template_has_english_sheets(tmp_path):
    write_template(tmp_path / "t.xlsx", "en")
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert "Organisations after" in book.sheetnames and book["Organisations after"]["A1"].value == "Id"


def test_untouched_template_is_an_empty_workbook_with_a_clear_message(template):
    assert problems(template) == [
        f"{template}: empty-workbook: The file holds no plan: fill in the 'Plan' sheet and the organisation "
        "sheets (make a template with `ag18 template`)."]


# --------------------------------------------------------------------------- what people type


def test_filled_template_reads_labels_text_numbers_dates_lists_and_spaces(template, tmp_path):
    path = filled(template, tmp_path, **{
        "Tổ chức trước": [["so-a/p1", "Phòng 1", "Phòng, ban, văn phòng nội bộ", "Cấp tỉnh", None, None, None,
                           " 1 ", "2", "7"], ["so-a/p2", "Phòng 2", "internal_unit", "province", None, None, None,
                                              1, 1, 6]],
        "Tổ chức sau": [["so-a/p12 ", "Phòng 1 và 2", "Chi cục", "cấp tỉnh", None, "Không", "có", 1, "3", "13 ",
                         None, None, None, "so-a/p1, so-a/p2"]],
        "Miễn trừ": [["deputy-cap", "so-a/p12", "Chuyển tiếp", "Ban Thường vụ", "CV 1", "31/12/2022"]],
        "Người và chức vụ": [["Sau sắp xếp", "p-1", "Nguyễn Văn A", "so-a/p12", "Cấp trưởng",
                              "2019: Hoàn thành tốt nhiệm vụ, 2020: completed"],
                             ["Sau sắp xếp", "p-1", None, "so-a/p12", "Thành viên"]],
    })
    plan = load_plan(path)
    assert plan.effective == dt.date(2021, 7, 1)
    org = plan.after.organizations[0]
    assert (org.id, org.type, org.level, org.effective, org.deputies, org.staff.civil_servants) == \
        ("so-a/p12", "sub_department", "province", True, 3, 13)
    assert org.formed_from == ("so-a/p1", "so-a/p2")
    assert plan.before.organizations[0].heads == 1
    assert plan.waivers[0].expires == dt.date(2022, 12, 31)
    person = plan.after.people[0]
    assert [(p.org, p.role) for p in person.posts] == [("so-a/p12", "head"), ("so-a/p12", "member")]
    assert person.ratings == {2019: "good", 2020: "completed"} and person.name == "Nguyễn Văn A"


def test_excel_dates_and_serial_numbers_are_dates(template, tmp_path):
    path = filled(template, tmp_path, plan={"B2": "p", "B6": dt.datetime(2021, 7, 1)},
                  **{"Miễn trừ": [["deputy-cap", None, "r", None, None, 44926]]})
    plan = load_plan(path)
    assert plan.effective == dt.date(2021, 7, 1) and plan.waivers[0].expires == dt.date(2022, 12, 31)


def test_every_problem_is_placed_at_its_sheet_and_cell_all_at_once(template, tmp_path):
    path = filled(template, tmp_path, **{"Tổ chức sau": [
        ["so-a", "Sở A", "Sở", "Cấp tỉnh"],
        ["so-b", "Sở B", "Sởo", "Cấp tỉnh", "so-zz", None, None, 1, "abc"]]})
    found = problems(path)
    assert f"{path}:Tổ chức sau!C4: cell-value: 'Sởo' is not one of the allowed values: party_committee; " \
           "party_body; people_committee; people_council; department; district_office; sub_department; " \
           "internal_unit; inspectorate; mass_organization; public_service_unit; other. Did you mean 'Sở'? " \
           "(after.organizations[1].type)" in found
    assert f"{path}:Tổ chức sau!I4: cell-value: 'abc' is not a whole number. (after.organizations[1].deputies)" in found
    assert any(p.startswith(f"{path}:Tổ chức sau!E4: unknown-reference:") and "so-zz" in p for p in found)
    assert len(found) == 3  # one message per cell: the schema does not repeat the unreadable ones
    code, _, err = run("check", path)
    assert code == 2 and f"{path}:Tổ chức sau!C4: cell-value: Giá trị 'Sởo' không có trong danh sách" in err
    assert "Traceback" not in err


def test_unknown_sheet_and_column_are_named(template, tmp_path):
    book = openpyxl.load_workbook(template)
    book["Đề án"]["B2"], book["Đề án"]["B6"] = "p", "2021-01-01"
    book.create_sheet("Tổ chưc sau").append(["x"])
    book["Tổ chức sau"]["R1"] = "Ghi chú"
    book.save(tmp_path / "p.xlsx")
    found = problems(tmp_path / "p.xlsx")
    assert any("unknown-sheet" in p and "Did you mean 'Tổ chức sau'?" in p for p in found)
    assert any(p.startswith(f"{tmp_path / 'p.xlsx'}:Tổ chức sau!R1: unknown-column: Unknown column 'Ghi chú'")
               for p in found)


def test_merged_cells_hidden_rows_and_formulas_without_values_are_refused_with_their_cell(template, tmp_path):
    book = openpyxl.load_workbook(template)
    book["Đề án"]["B2"], book["Đề án"]["B6"] = "p", "2021-01-01"
    ws = book["Tổ chức sau"]
    ws.append(["a", "A", "Sở", None, None, None, None, None, None, "=1+1"])
    ws.append(["b", "B", "Sở"])
    ws.row_dimensions[4].hidden = True
    ws.merge_cells("B5:C5")
    book.save(tmp_path / "p.xlsx")
    found = problems(tmp_path / "p.xlsx")
    name = tmp_path / "p.xlsx"
    assert any(p.startswith(f"{name}:Tổ chức sau!J3: formula-without-value:") for p in found)
    assert any(p.startswith(f"{name}:Tổ chức sau!A4: hidden-row: Row 4 is hidden") for p in found)
    assert any(p.startswith(f"{name}:Tổ chức sau!B5: merged-cells: Merged cells B5:C5") for p in found)


def test_a_formula_is_read_by_its_cached_value(template, tmp_path):
    path = filled(template, tmp_path, **{"Tổ chức sau": [["a", "A", "Sở", None, None, None, None, None, None,
                                                            "=4+3"]]})
    cached = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(cached, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if b"<f>4+3</f>" in data:  # what Excel saves: the formula and the value it computed
                data = data.replace(b"<f>4+3</f><v></v>", b"<f>4+3</f><v>7</v>").replace(
                    b"<f>4+3</f><v />", b"<f>4+3</f><v>7</v>")
            dst.writestr(item, data)
    assert load_plan(cached).after.organizations[0].staff.civil_servants == 7


# --------------------------------------------------------------------------- refusals


def _zip(path: Path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = _zip(tmp_path / "bomb.xlsx", {"[Content_Types].xml": "<Types/>", "xl/worksheets/sheet1.xml": b"0" * 80_000_000})
    assert path.stat().st_size < 1_000_000
    assert [p.split(": ", 1)[1] for p in problems(path)] == [
        "zip-bomb: The workbook inflates to far more than its size (a zip bomb?); it is not read."]


def test_macro_enabled_password_protected_large_and_broken_files_are_refused(tmp_path):
    macro = _zip(tmp_path / "m.xlsx", {"[Content_Types].xml": "<Types/>", "xl/vbaProject.bin": b"x"})
    assert "macro-workbook" in problems(macro)[0]
    (tmp_path / "m.xlsm").write_bytes(macro.read_bytes())
    assert "macro-workbook" in problems(tmp_path / "m.xlsm")[0]
    ole = tmp_path / "secret.xlsx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)
    assert "protected-workbook: The workbook is password-protected or an old .xls file" in problems(ole)[0]
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    assert "too-large: The workbook is too large (52,428,800 bytes)" in problems(big)[0]
    text = tmp_path / "text.xlsx"
    text.write_text("hello")
    assert "not-a-workbook" in problems(text)[0]
    broken = _zip(tmp_path / "broken.xlsx", {"[Content_Types].xml": "<Types/>"})
    assert "not-a-workbook: The workbook cannot be opened" in problems(broken)[0]


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_survives_xlsx_and_back(example, tmp_path):
    plan = load_plan(example)
    write_xlsx(plan, tmp_path / "p.xlsx")
    assert load_plan(tmp_path / "p.xlsx") == plan


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture))
@given(plan=plans(fast=True))
def test_yaml_to_xlsx_to_yaml_gives_back_the_same_plan(plan, tmp_path):
    from ag18_rules.formats.commands import dump_yaml

    (tmp_path / "in.yaml").write_text(dump_yaml(plan_to_dict(plan)), encoding="utf-8")
    assert run("convert", tmp_path / "in.yaml", tmp_path / "p.xlsx")[0] == 0
    assert run("convert", tmp_path / "p.xlsx", tmp_path / "out.yaml")[0] == 0
    assert load_plan(tmp_path / "out.yaml") == load_plan(tmp_path / "in.yaml") == plan


def test_convert_every_direction_keeps_the_plan(tmp_path):
    source = ROOT / "examples" / "sonv-offices-2021-draft1.yaml"
    plan = load_plan(source)
    steps = [(source, "a.json"), ("a.json", "b.xlsx"), ("b.xlsx", "c.json"), ("c.json", "d.yaml"),
             ("d.yaml", "e.xlsx"), ("e.xlsx", "f.yaml")]
    for src, dst in steps:
        src = src if isinstance(src, Path) else tmp_path / src
        assert run("convert", src, tmp_path / dst)[0] == 0
        assert load_plan(tmp_path / dst) == plan
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["format"] == "ag18-plan/1"
    code, _, err = run("convert", source, tmp_path / "x.txt")
    assert code == 2 and "output-suffix" in err


def test_policy_evaluates_a_workbook_directly_and_reports_cells_for_entities(tmp_path):
    source = ROOT / "examples" / "sonv-offices-2021-draft1.yaml"
    write_xlsx(load_plan(source), tmp_path / "plan.xlsx")
    with Policy.load() as policy:
        from_yaml = policy.evaluate(source)
        from_xlsx = policy.evaluate(str(tmp_path / "plan.xlsx"))
        plan = policy.load_plan(str(tmp_path / "plan.xlsx"))
    assert [(f.rule, f.entity.id) for f in from_xlsx.findings] == [(f.rule, f.entity.id) for f in from_yaml.findings]
    span = plan.spans["sonv/thanh-tra"]
    assert (span.sheet, span.cell) == ("Tổ chức sau", "A4")
    read = read_xlsx(tmp_path / "plan.xlsx")  # the same dict a YAML file gives, and each field's cell
    assert load_plan(read.data, filename=str(tmp_path / "plan.xlsx")) == plan and read.problems == []
    assert str(read.cells[("after", "organizations", 2, "deputies")]) == f"{tmp_path / 'plan.xlsx'}:Tổ chức sau!I4"


def test_template_command_then_validate_the_filled_workbook(tmp_path):
    code, out, _ = run("template", tmp_path / "mau.xlsx")
    assert code == 0 and "mau.xlsx" in out
    path = filled(tmp_path / "mau.xlsx", tmp_path, **{"Tổ chức sau": [["a", "A", "Sở", "Cấp tỉnh"]]})
    code, out, _ = run("validate", path)
    assert code == 0 and out == "1 tệp hợp lệ.\n"
    assert run("template", tmp_path / "mau.txt")[0] == 2


# --------------------------------------------------------------------------- CSV folders


def test_a_folder_of_csv_sheets_reads_like_the_workbook(tmp_path):
    folder = tmp_path / "de-an"
    folder.mkdir()
    (folder / "Đề án.csv").write_text("Trường,Giá trị\nMã đề án,csv-1\nNgày hiệu lực,01/07/2021\n", encoding="utf-8-sig")
    (folder / "Tổ chức sau.csv").write_text(
        "Mã;Tên tổ chức;Loại;Số cấp phó\nso-a;Sở A;Sở;2\nso-a/p;Phòng;Phòng, ban, văn phòng nội bộ;x\n",
        encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_plan(folder)
    assert [d.render("en", caret=False) for d in exc.value.diagnostics] == [
        f"{folder}:Tổ chức sau!D3: cell-value: 'x' is not a whole number. (after.organizations[1].deputies)"]
    (folder / "Tổ chức sau.csv").write_text("Mã;Tên tổ chức;Loại;Số cấp phó\nso-a;Sở A;Sở;2\n", encoding="utf-8")
    plan = load_plan(folder)
    assert plan.id == "csv-1" and plan.after.organizations[0].deputies == 2
    assert read_csv_dir(folder).cells[("after", "organizations", 0, "deputies")].cell == "D2"
    code, out, _ = run("check", folder, "-q", "--no-fixes")
    assert code in (0, 1) and "Traceback" not in out


def test_a_cell_far_to_the_right_is_named_not_expanded(template, tmp_path):
    book = openpyxl.load_workbook(template)
    book["Đề án"]["B2"], book["Đề án"]["B6"] = "p", "2021-01-01"
    book["Tổ chức sau"].append(["a", "A", "Sở"])
    book["Tổ chức sau"]["XFD3"] = "x"
    book.save(tmp_path / "p.xlsx")
    assert problems(tmp_path / "p.xlsx") == [
        f"{tmp_path / 'p.xlsx'}:Tổ chức sau!XFD3: cell-out-of-range: The cell XFD3 is beyond the template's "
        "columns: delete what is there."]


def test_a_workbook_with_more_cells_than_the_limit_is_refused_before_opening(tmp_path):
    import os

    data = os.urandom(12_000_000) + b"0" * 14_000_000
    path = _zip(tmp_path / "huge.xlsx", {"[Content_Types].xml": "<Types/>", "xl/worksheets/sheet1.xml": data})
    (problem,) = problems(path)
    assert "too-large: The workbook holds too much data (26,000,008 bytes unpacked" in problem


def test_workbook_diagnostics_as_json_follow_the_diagnostics_schema(template, tmp_path):
    import jsonschema

    from ag18_rules.schema import load_schema

    path = filled(template, tmp_path, **{"Tổ chức sau": [["so-a", "Sở A", "Sởo", "Cấp tỉnh"]]})
    code, out, _ = run("check", path, "--format", "json")
    data = json.loads(out)
    jsonschema.validate(data, load_schema("diagnostics"))
    assert code == 2 and data["diagnostics"][0]["sheet"] == "Tổ chức sau" and data["diagnostics"][0]["cell"] == "C3"
