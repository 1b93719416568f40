"""The candidate's data rights under law 09-08: consent per fair, what companies see, "My data"
(export, erasure), retention and the CV access log. See README.md in this folder."""
