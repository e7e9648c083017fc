"""trappe: extracts from Danish municipalities in, key figures on the intervention staircase out."""
