"""The rules of Chinese reply text, each in one place: normalisation, sentences, headings, dates, numbers, offices and
the kinds of reply. The index, the answer engine and the evaluation all read text through these."""
