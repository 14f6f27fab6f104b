"""The Support area: tools support engineers use to answer "why can't this clinic do X?"."""
