/** The Jira client: createJiraClient(options) → JiraClient (search by JQL, comments, the current user). */
export { createJiraClient, jiraSite, ISSUE_FIELDS, SEARCH_PAGE, COMMENT_PAGE, type JiraClient, type JiraClientOptions, type JiraFlavour } from './client.js';
export type { JiraIssueData, JiraCommentData, JiraBody } from './schemas.js';
