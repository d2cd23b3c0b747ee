"""Template tags of «Справка»."""
