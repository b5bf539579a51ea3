"""/check: the claims of a text (an article, a sentence) against the data, one verdict each."""
