"""Pieces every room uses: colours and style sheet, translations."""
