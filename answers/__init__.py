"""«Справка»: the answers of the source documents' FAQs, searchable, each at its own address."""
