"""One module per screen: decks (home), review, done, help."""
