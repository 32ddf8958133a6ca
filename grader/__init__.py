"""The autograder: grades a submission against public and hidden tests by a rubric."""
