# Included by each chapter folder's Makefile: forwards to the top-level Makefile
# with CH set to this chapter's number.
CHAPTER_FOLDER := $(notdir $(CURDIR))
CHAPTER_NUMBER := $(patsubst ch%,%,$(firstword $(subst -, ,$(CHAPTER_FOLDER))))
.DEFAULT_GOAL := run
%:
	@$(MAKE) --no-print-directory -C .. $@ CH=$(CHAPTER_NUMBER)
