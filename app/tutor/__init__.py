"""The math tutor: is an answer right (equivalence), and checking answers by voting.

`equivalence` judges two answers through a worker process (`ponder
math-worker`) so that the heavy math libraries never load in the window's
process before they are needed, and a comparison that runs away can be killed.
"""
