import pytest

from benchmarks.mle import mini


@pytest.fixture(scope="session")
def mini_data(tmp_path_factory):
    """A data dir with two mini competitions prepared once per test process."""
    d = tmp_path_factory.mktemp("mle-data")
    mini.ensure_prepared("mini-breast-cancer", d)
    mini.ensure_prepared("mini-diabetes", d)
    return d
