"""The test suite; mirrors the code layout."""
