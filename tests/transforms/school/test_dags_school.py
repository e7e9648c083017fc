"""Airflow: the school registers are a source of the ingest DAG, and the build publishes the school table."""
from __future__ import annotations



from transforms.file_kinds import inputs, kinds_of, sources



def test_school_is_a_source_with_two_kinds_staged_per_school_year():
    assert "school" in sources()
    kinds = {k.name: k for k in kinds_of("school")}
    assert set(kinds) == {"school_trivsel", "school_fravaer"}
    assert {"pupil_wellbeing", "pupil_absence"} <= set(inputs())
    m = kinds["school_trivsel"].pattern.match("trivsel_2016-17_2017-09-01.csv.gz")
    assert m and m.group("period") == "2016-17" and m.group("date") == "2017-09-01"


def test_the_build_publishes_the_school_table(dags):
    dag = dags["build_publish"]
    assert "trappe://published/school_wellbeing" in {a.uri for a in dag.task_dict["publish"].outlets}


def test_the_school_table_is_built_with_the_key_figures():
    from transforms import key_figures, school
    from transforms.publish import BUILDS

    assert school in BUILDS and key_figures in BUILDS
