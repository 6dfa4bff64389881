# Man page and shell completion.
